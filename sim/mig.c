/*
 * mig — QEMU's migration thread as a state machine with its own clock (see
 * mig.h). The states follow migration_thread(): the loop that either runs an
 * iteration (migration_iteration_run: switch-over test, else one
 * ram_save_iterate of at most 50 ms) or waits out the 100 ms rate-limit
 * window, and the completion that stops the guest and sends the rest.
 */
#include "mig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "mig_int.h"
#include "multifd.h"
#include "pcache.h"
#include "storage.h"
#include "xbzrle.h"
#include "zero.h"

/* --- dirty bitmap ----------------------------------------------------------- */

/* migration_clear_memory_region_dirty_bitmap (migration/ram.c): the first
 * time since the last sync that a page of a chunk is taken off the bitmap
 * (to be sent), the guest's log of the whole chunk is cleared, so that the
 * writes from now on are logged again; until then a write to a page the
 * sync reported is not (docs/model.md, "The dirty log"). Costs a bit test a
 * page, and a bit a page of the chunk once per chunk and sync. */
static void clear_chunk_log(mig *m, uint64_t page)
{
	uint64_t chunk = page >> m->clear_shift, bit = UINT64_C(1) << (chunk % 64);
	if (!(m->clear_bmap[chunk / 64] & bit))
		return;
	m->clear_bmap[chunk / 64] &= ~bit;
	guest_dirty_clear(m->src, chunk << m->clear_shift, UINT64_C(1) << m->clear_shift);
}

/* migration_bitmap_clear_dirty: the log of the page's chunk first, as QEMU
 * must before sending any page of it. */
void mig_bitmap_clear(mig *m, uint64_t page)
{
	if (m->clear_bmap)
		clear_chunk_log(m, page);
	m->bitmap[page / 64] &= ~(UINT64_C(1) << (page % 64));
	m->dirty_pages--;
}

int mig_bitmap_test(const mig *m, uint64_t page)
{
	return (m->bitmap[page / 64] >> (page % 64)) & 1;
}

/* Index of the first set bit at or after `from`, or npages. */
static uint64_t bitmap_next(const mig *m, uint64_t from)
{
	if (from >= m->npages)
		return m->npages;
	size_t w = from / 64;
	uint64_t word = m->bitmap[w] & (~UINT64_C(0) << (from % 64));
	while (!word) {
		if (++w == m->nwords)
			return m->npages;
		word = m->bitmap[w];
	}
	uint64_t page = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(word);
	return page < m->npages ? page : m->npages;
}

/* find_dirty_block: the next dirty page from the scan position, wrapping to
 * the start of RAM once (which ends the first pass; with multifd, each wrap
 * in pre-copy flushes and syncs its channels: multifd_ram_sync_per_round).
 * 1 when
 * found, 0 when none, -1 on error. */
static int next_dirty(mig *m, uint64_t *page, err *e)
{
	if (m->dirty_pages == 0)
		return 0;
	uint64_t p = bitmap_next(m, m->scan);
	if (p == m->npages) {
		if (multifd_active(m) && multifd_flush_and_sync(m, e) < 0)
			return -1;
		m->complete_round = 1;
		p = bitmap_next(m, 0);
		if (p == m->npages)
			return 0;
	}
	*page = p;
	m->scan = p + 1;
	return 1;
}

/* --- accounting -------------------------------------------------------------- */

static struct mig_pass *pass_now(mig *m)
{
	return &m->passes[m->npasses - 1];
}

static int pass_open(mig *m)
{
	if (m->npasses == m->cap_passes) {
		size_t cap = m->cap_passes ? m->cap_passes * 2 : 16;
		struct mig_pass *np = realloc(m->passes, cap * sizeof *np);
		if (!np)
			return -1;
		m->passes = np;
		m->cap_passes = cap;
	}
	if (m->npasses)
		pass_now(m)->end = m->t - m->cfg.start;
	m->passes[m->npasses++] = (struct mig_pass){
	    .sync = m->st.dirty_sync_count,
	    .start = m->t - m->cfg.start,
	    .end = m->t - m->cfg.start,
	    .dirty = m->dirty_pages,
	};
	return 0;
}

/* The counter of bytes sent in the current phase. */
static uint64_t *phase_bytes(mig *m)
{
	if (m->phase == MIG_PHASE_STOPPED)
		return &m->st.downtime_bytes;
	if (m->phase == MIG_PHASE_POSTCOPY)
		return &m->st.postcopy_bytes;
	return &m->st.precopy_bytes;
}

/* The migration thread's own CPU work: ns of it, on the host it shares
 * with the vCPU (sim/host.h). */
static void run_cpu(mig *m, int64_t ns)
{
	struct host h = {m->p.host_cpus, m->p.host_timeslice};
	m->st.thread_cpu = sat_add(m->st.thread_cpu, ns);
	m->t = host_run(&h, m->cpu, m->t, ns);
}

/* ns_per_byte for `bytes`. */
static void charge_cpu(mig *m, double ns_per_byte, uint64_t bytes)
{
	run_cpu(m, sat_ns(ns_per_byte * (double)bytes));
}

/* Every byte put on the main channel goes through here: ram_transferred_add
 * counts it in its phase as it is queued. The link takes it at once, where
 * QEMU's socket gets it at the next flush, at most one queue (128 KiB)
 * later; the thread pays for writev's copy into the socket then. */
static void stream_add(mig *m, uint64_t bytes)
{
	uint64_t *in_phase = phase_bytes(m);
	*in_phase = sat_addu(*in_phase, bytes);
	if (m->npasses)
		pass_now(m)->bytes = sat_addu(pass_now(m)->bytes, bytes);
	charge_cpu(m, m->p.page_copy_cost, bytes);
	m->t = link_socket_send(m->link, m->cfg.sock, m->t, bytes);
}

/* qemu_fflush: the queue is written out and only now counted in
 * `transferred` (mig_stats.qemu_file_transferred). Since QEMU 8.2 that is
 * all migration_transferred_bytes() sees: the rate limit, the bandwidth
 * estimate and auto-converge's period count flushed bytes, not queued ones. */
static void qf_flush(mig *m)
{
	m->st.transferred = sat_addu(m->st.transferred, m->qf.queued);
	m->qf = (struct qemufile){0};
}

/* add_to_iovec: bytes next to the last entry's in the buffer extend it,
 * others take an entry. 1 when that filled the iovec, which was flushed. */
static int qf_add_iov(mig *m, uint64_t bytes, int in_buf)
{
	m->qf.queued = sat_addu(m->qf.queued, bytes);
	if (!(in_buf && m->qf.tail_in_buf)) {
		m->qf.iovcnt++;
		m->qf.tail_in_buf = in_buf;
	}
	if (m->qf.iovcnt < QF_MAX_IOV)
		return 0;
	qf_flush(m);
	return 1;
}

/* qemu_put_buffer (qemu_put_byte alike): copied into the buffer, which is
 * flushed the moment it is full. */
static void qf_put(mig *m, uint64_t bytes)
{
	charge_cpu(m, m->p.page_copy_cost, bytes);
	while (bytes) {
		uint64_t room = QF_BUF_SIZE - m->qf.buf_index;
		uint64_t part = bytes < room ? bytes : room;
		if (!qf_add_iov(m, part, 1)) {
			m->qf.buf_index += (unsigned)part;
			if (m->qf.buf_index == QF_BUF_SIZE)
				qf_flush(m);
		}
		bytes -= part;
	}
}

/* A record copied into the stream: a zero page, an XBZRLE page, or a
 * normal page sent from the XBZRLE cache. */
static void send_copied(mig *m, uint64_t bytes)
{
	stream_add(m, bytes);
	qf_put(m, bytes);
}

/* save_normal_page with async: the header copied, the page queued from
 * guest memory (qemu_put_buffer_async), two iovec entries: the queue is
 * flushed every 32 such pages. */
static void send_async(mig *m, uint64_t header)
{
	stream_add(m, header + m->ps);
	qf_put(m, header);
	qf_add_iov(m, m->ps, 0);
}

/* Copied into the queue and flushed: the same bytes counted whatever the
 * queue's steps on the way. */
void mig_send_bytes(mig *m, uint64_t bytes)
{
	stream_add(m, bytes);
	charge_cpu(m, m->p.page_copy_cost, bytes);
	m->qf.queued = sat_addu(m->qf.queued, bytes);
	qf_flush(m);
}

int mig_fail(mig *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->error, sizeof m->error, fmt, ap);
	va_end(ap);
	m->status = MIG_STATUS_FAILED;
	m->phase = MIG_PHASE_DONE;
	return 0;
}

/* --- auto-converge ---------------------------------------------------------------- */

int mig_throttle_next(const struct mig_params *p, int now, double dirty, double threshold)
{
	int pct;
	if (now == 0) {
		pct = p->cpu_throttle_initial;
	} else {
		int inc = p->cpu_throttle_increment;
		if (p->cpu_throttle_tailslow && dirty > 0) {
			/* QEMU's integers: the ideal share is truncated. */
			int cpu_now = 100 - now;
			int cpu_ideal = (int)(cpu_now * (threshold / dirty));
			if (cpu_now - cpu_ideal < inc)
				inc = cpu_now - cpu_ideal;
		}
		pct = now + inc;
		if (pct > p->max_cpu_throttle)
			pct = p->max_cpu_throttle;
	}
	return pct < 1 ? 1 : pct > 99 ? 99 : pct; /* cpu_throttle_set clamps */
}

static void throttle_down(mig *m, double dirty, double threshold)
{
	int pct = mig_throttle_next(&m->p, m->cpu->throttle_pct, dirty, threshold);
	vcpu_set_throttle(m->cpu, pct);
	if (pct > m->st.max_throttle_pct)
		m->st.max_throttle_pct = pct;
}

/* migration_trigger_throttle: a period is high when the guest dirtied more
 * than throttle-trigger-threshold % of what was sent in it; every second
 * high period (not necessarily consecutive) throttles. */
static void trigger_throttle(mig *m)
{
	double xfer = (double)(m->st.transferred - m->bytes_xfer_prev);
	double dirty = (double)m->period_dirty * m->ps;
	double threshold = xfer * m->p.throttle_trigger_threshold / 100.0;
	if (!(m->cfg.caps & CAP_AUTO_CONVERGE) || !(dirty > threshold))
		return;
	if (++m->dirty_rate_high_cnt >= 2) {
		m->dirty_rate_high_cnt = 0;
		throttle_down(m, dirty, threshold);
	}
}

/* --- bitmap sync, rates, counters ---------------------------------------------- */

/* RAMState's target_page_count: the pages ram_save_page reports sent, where
 * an unchanged XBZRLE page is 0. (QEMU counts ram_save_iterate's only; the
 * final stage's come after the last rate update, so they change nothing.) */
static uint64_t target_pages(const mig *m)
{
	return m->st.pages_handled - m->xbzrle_unchanged;
}

/* migration_update_rates, XBZRLE part: misses per target page and
 * unencoded / encoded bytes over the period that just closed. A period
 * without a target page leaves both rates, and their marks, as they were. */
static void update_xbzrle_rates(mig *m)
{
	struct mig_xbzrle *x = &m->st.xbzrle;
	uint64_t handled = target_pages(m) - m->target_pages_prev;
	m->target_pages_prev = target_pages(m);
	if (!m->cache || handled == 0)
		return;
	uint64_t pages = x->pages - m->xbzrle_pages_prev;
	uint64_t bytes = x->bytes - m->xbzrle_bytes_prev;
	x->cache_miss_rate = (double)(x->cache_miss - m->cache_miss_prev) / (double)handled;
	x->encoding_rate = pages && bytes ? (double)pages * m->ps / (double)bytes : 0;
	m->cache_miss_prev = x->cache_miss;
	m->xbzrle_pages_prev = x->pages;
	m->xbzrle_bytes_prev = x->bytes;
}

/* migration_bitmap_sync: merge the guest's dirty log, open a new pass, and
 * close the dirty-rate period once it is at least a second long. */
int mig_bitmap_sync(mig *m)
{
	uint64_t fresh = guest_dirty_sync(m->src, m->bitmap);
	/* cpu_physical_memory_sync_dirty_bitmap's clear_bmap_set over the whole
	 * block: every chunk's log is to be cleared before its next send. */
	if (m->clear_bmap)
		memset(m->clear_bmap, 0xff, m->clear_words * sizeof *m->clear_bmap);
	m->dirty_pages += fresh;
	m->period_dirty += fresh;
	m->st.dirty_sync_count++;
	m->dirty_bytes_last_sync = m->dirty_pages * m->ps;
	if (pass_open(m) < 0)
		return -1;
	postcopy_note_sync(m);
	int64_t elapsed = m->t - m->time_last_sync;
	if (elapsed >= RATE_PERIOD) {
		trigger_throttle(m);
		update_xbzrle_rates(m);
		m->st.dirty_pages_rate = (double)m->period_dirty * 1e9 / (double)elapsed;
		m->time_last_sync = m->t;
		m->period_dirty = 0;
		m->bytes_xfer_prev = m->st.transferred;
	}
	return 0;
}

static int rate_exceeded(const mig *m)
{
	return m->rate_limited && (double)(m->st.transferred - m->iter_bytes) > m->rate_limit_max;
}

static uint64_t pages_sent(const mig *m)
{
	return m->st.duplicate + m->st.normal + m->st.xbzrle.pages;
}

/* migration_update_counters: bandwidth, switch-over threshold and expected
 * downtime from the window that just closed, then a new window. */
static void update_counters(mig *m)
{
	int64_t spent = m->t - m->iter_start;
	if (spent < BUFFER_DELAY)
		return;
	double bytes = (double)(m->st.transferred - m->iter_bytes);
	double secs = (double)spent / 1e9;
	m->st.bandwidth = bytes / secs;
	double expected =
	    m->p.avail_switchover_bandwidth > 0 ? m->p.avail_switchover_bandwidth : m->st.bandwidth;
	m->st.threshold = sat_u64(expected * ((double)m->p.downtime_limit / 1e9));
	m->st.mbps = bytes * 8 / secs / 1e6;
	m->st.pages_per_second = (double)(pages_sent(m) - m->iter_pages) / secs;
	if (m->st.dirty_pages_rate != 0 && m->st.transferred > 10000 && expected > 0)
		m->st.expected_downtime = sat_ns((double)m->dirty_bytes_last_sync / expected * 1e9);
	m->iter_start = m->t;
	m->iter_bytes = m->st.transferred;
	m->iter_pages = pages_sent(m);
}

/* --- pages ------------------------------------------------------------------------ */

uint64_t mig_page_header(mig *m)
{
	if (m->block_sent)
		return HDR_BYTES;
	m->block_sent = 1;
	return HDR_BYTES + 1 + (sizeof BLOCK_NAME - 1);
}

/* The destination gets what was sent; in post-copy only once it arrives.
 * Installing can fail (out of host memory), and must say so here rather
 * than turn up later as a mismatch blamed on the simulator. */
static int deliver(mig *m, uint64_t page, int zero, err *e)
{
	if (m->phase == MIG_PHASE_POSTCOPY)
		postcopy_in_flight(m, page);
	else if (zero)
		guest_install_zero(m->dst, page);
	else
		return guest_copy_page_from(m->dst, m->src, page, e);
	return 0;
}

static int xbzrle_active(const mig *m)
{
	return m->cache && m->complete_round && m->phase != MIG_PHASE_POSTCOPY;
}

/* ram_save_page: from the XBZRLE cache, copied (the cached copy may change
 * before the queue is written), while XBZRLE is on and this is not the last
 * stage; otherwise straight from guest memory. */
static int send_normal(mig *m, uint64_t page, err *e)
{
	m->st.normal++;
	m->st.normal_bytes += m->ps;
	if (xbzrle_active(m) && !m->last_stage)
		send_copied(m, mig_page_header(m) + m->ps);
	else
		send_async(m, mig_page_header(m));
	return deliver(m, page, 0, e);
}

/* What save_xbzrle_page made of a page. */
enum { XBZ_NORMAL, XBZ_SENT, XBZ_UNCHANGED };

/* save_xbzrle_page: XBZ_SENT (a delta), XBZ_UNCHANGED (nothing to send),
 * XBZ_NORMAL when it must go as a normal page, -1 on error. */
static int send_xbzrle(mig *m, uint64_t page, const uint8_t *bytes, err *e)
{
	uint64_t gen = m->st.dirty_sync_count;
	struct mig_xbzrle *x = &m->st.xbzrle;
	const uint8_t *cached = pcache_lookup(m->cache, page, gen);
	if (!cached) {
		x->cache_miss++;
		if (!m->last_stage)
			pcache_insert(m->cache, page, bytes, gen); /* refusal: sent whole anyway */
		return XBZ_NORMAL;
	}
	x->pages++;
	charge_cpu(m, m->p.xbzrle_encode_cost, m->ps);
	int len = xbz_encode(cached, bytes, m->ps, m->delta, m->ps);
	if (len == 0) {
		m->xbzrle_unchanged++;
		return XBZ_UNCHANGED; /* the destination has it */
	}
	if (len < 0) {
		x->overflow++;
		x->bytes += m->ps; /* QEMU's accounting of an overflow */
		if (!m->last_stage)
			pcache_insert(m->cache, page, bytes, gen);
		return XBZ_NORMAL;
	}
	/* The destination applies the delta to the bytes it holds: a real decode. */
	const char *why = NULL;
	uint8_t *dst = guest_page_mut(m->dst, page, e);
	if (!dst)
		return -1;
	if (xbz_decode(dst, m->ps, m->delta, (size_t)len, &why) < 0)
		return err_set(e, "XBZRLE delta of page %llu rejected by the decoder: %s",
			       (unsigned long long)page, why);
	/* QEMU copies the page into the cache; patching the cached copy with
	 * the delta leaves the same bytes at the cost of the delta. */
	if (!m->last_stage &&
	    pcache_apply_delta(m->cache, page, m->delta, (size_t)len, gen, &why) < 0)
		return err_set(e, "XBZRLE delta of page %llu does not apply to its cached copy: %s",
			       (unsigned long long)page, why);
	uint64_t wire = mig_page_header(m) + XBZRLE_HDR_BYTES + (uint64_t)len;
	x->bytes += wire - HDR_BYTES;
	send_copied(m, wire);
	return XBZ_SENT;
}

/* The zero-page test. The page's kind answers it without reading a byte
 * where guest.c guarantees the outcome: ZERO pages are zero by construction,
 * PROCEDURAL ones never are (a non-zero byte is forced). Only MATERIAL pages
 * are read and tested; *bytes is set when they were read. */
static int page_is_zero(mig *m, uint64_t page, const uint8_t **bytes)
{
	switch (guest_page_kind(m->src, page)) {
	case GUEST_ZERO:
		return 1;
	case GUEST_PROCEDURAL:
		return 0;
	default:
		*bytes = guest_page_bytes(m->src, page, m->scratch);
		return zero_test(*bytes, m->ps);
	}
}

/* save_zero_page's buffer_is_zero, and what it costs the thread: the whole
 * page when it is zero (also one migsim knows to be zero without reading
 * it), else up to its first block that is not, taken to be the first 64
 * bytes (the test's block; QEMU's looks at the first, middle and last
 * bytes first). */
static int scan_is_zero(mig *m, uint64_t page, const uint8_t **bytes)
{
	int zero = page_is_zero(m, page, bytes);
	charge_cpu(m, m->p.zero_scan_cost, zero ? m->ps : 64);
	return zero;
}

/* The page sent after this one is the next dirty one, unless the rate
 * limit or a sync comes first. Loading its bytes and its cached copy now
 * overlaps those cache misses with this page's work, instead of stalling
 * on each page's first lines as it is read. sim_bench scenario 5 (XBZRLE
 * sends against the encoder's own speed, per page): a median of 75 % ->
 * 88 %; the first 4, 16 or 32 lines of each page alone gained less. Only
 * from a page with stored bytes, whose neighbours likely have some: a run
 * of zero or procedural pages, read by kind, would pay the search for
 * nothing. A hint: the model is untouched. */
static void prefetch_next(mig *m, uint64_t page)
{
	if (guest_page_kind(m->src, page) != GUEST_MATERIAL)
		return;
	uint64_t next = bitmap_next(m, page + 1);
	if (next < m->npages && guest_prefetch_page(m->src, next) && xbzrle_active(m))
		pcache_prefetch(m->cache, next);
}

/* save_zero_page runs on the migration thread unless zero-page-detection
 * is none, or multifd whose channels do the test
 * (ram_save_target_page_multifd). */
static int legacy_zero_test(const mig *m, int multifd)
{
	int z = m->p.zero_page_detection;
	return z == ZERO_DETECT_LEGACY || (z == ZERO_DETECT_MULTIFD && !multifd);
}

/* ram_save_target_page: a zero page (page_is_zero: by kind, or on the real
 * bytes), an XBZRLE delta, or a normal page; the destination gets what was sent. A
 * normal page is copied from the source's model, so its bytes are read
 * only when the zero test or XBZRLE needs them (generating a procedural
 * page costs more than sending it). Returns the pages sent, as QEMU counts
 * them (0 for a page XBZRLE found unchanged), or -1. */
static int send_page(mig *m, uint64_t page, err *e)
{
	mig_bitmap_clear(m, page);
	m->st.pages_handled++;
	pass_now(m)->pages++;
	const uint8_t *bytes = NULL;
	int xbzrle = xbzrle_active(m);
	int stored = guest_page_kind(m->src, page) == GUEST_MATERIAL;
	prefetch_next(m, page);
	int multifd = multifd_active(m);
	if (legacy_zero_test(m, multifd) && scan_is_zero(m, page, &bytes)) {
		m->st.duplicate++;
		m->st.pages_read += stored;
		if (xbzrle && !m->last_stage)
			pcache_insert(m->cache, page,
				      bytes ? bytes : guest_page_bytes(m->src, page, m->scratch),
				      m->st.dirty_sync_count);
		send_copied(m, mig_page_header(m) + 1);
		return deliver(m, page, 1, e) < 0 ? -1 : 1;
	}
	if (multifd) /* ram_save_multifd_page: the channel reads and counts it */
		return multifd_queue_page(m, page, e) < 0 ? -1 : 1;
	m->st.pages_read += stored || xbzrle; /* copied, or encoded below */
	if (xbzrle) {
		if (!bytes)
			bytes = guest_page_bytes(m->src, page, m->scratch);
		int rc = send_xbzrle(m, page, bytes, e);
		if (rc != XBZ_NORMAL)
			return rc < 0 ? -1 : rc == XBZ_SENT;
	}
	return send_normal(m, page, e) < 0 ? -1 : 1;
}

/* --- states ------------------------------------------------------------------------- */

static int do_setup(mig *m, err *e)
{
	memset(m->bitmap, 0xff, m->nwords * sizeof *m->bitmap);
	if (m->npages % 64)
		m->bitmap[m->nwords - 1] = (UINT64_C(1) << (m->npages % 64)) - 1;
	m->dirty_pages = m->npages;
	m->time_last_sync = m->t;
	/* memory_global_dirty_log_start: KVM with manual clearing and its
	 * bitmap initially all set, when clear-bitmap-shift is on. */
	if (m->clear_bmap && guest_dirty_manual(m->src, e) < 0)
		return -1;
	if (mig_bitmap_sync(m) < 0) /* ram_init_bitmaps: starts logging, count = 1 */
		return -1;
	vcpu_watch(m->cpu); /* from here on the thread reads RAM as the guest writes it */
	run_cpu(m, m->p.setup_cost);
	mig_send_bytes(m, FILE_HEADER_BYTES + SETUP_RAM_BYTES);
	if (m->mf && multifd_setup(m, e) < 0)
		return -1;
	m->st.setup_time = m->t - m->cfg.start;
	m->phase = MIG_PHASE_ACTIVE;
	m->rate_limited = m->p.max_bandwidth > 0;
	m->rate_limit_max = m->p.max_bandwidth / 10;
	m->iter_start = m->t;
	m->iter_bytes = m->st.transferred;
	m->iter_pages = 0;
	m->bytes_xfer_prev = m->st.transferred;
	m->next_forced_sync = sat_add(m->t, FORCED_SYNC);
	m->state = m->cfg.mode == MIG_MODE_STOP_AND_COPY ? ST_COMPLETE : ST_LOOP;
	return 0;
}

static void begin_iterate(mig *m)
{
	m->state = ST_ITERATE;
	m->save_start = m->t;
	m->save_pages = 0;
}

/* migration_iteration_run: complete when pending fits in the threshold;
 * otherwise switch to post-copy if its rule says so, or iterate. In
 * post-copy, iterate until nothing is left. */
static int iteration_run(mig *m, err *e)
{
	if (m->phase == MIG_PHASE_POSTCOPY) {
		if (m->dirty_pages == 0) {
			mig_send_bytes(m, EOS_BYTES);
			m->state = ST_FINISH;
		} else
			begin_iterate(m);
		return 0;
	}
	uint64_t threshold = m->st.threshold;
	if (m->dirty_pages * m->ps < threshold && mig_bitmap_sync(m) < 0)
		return -1;
	uint64_t pending = m->dirty_pages * m->ps;
	if (pending == 0 || pending < threshold) {
		m->state = ST_COMPLETE;
		return 0;
	}
	if ((m->cfg.caps & CAP_POSTCOPY_RAM) && postcopy_due(m))
		return postcopy_start(m, e);
	begin_iterate(m);
	return 0;
}

/* With auto-converge, a timer syncs every 5 s when no sync has happened
 * since its last tick, so throttle decisions keep coming during long passes. */
static int forced_sync(mig *m)
{
	if (!(m->cfg.caps & CAP_AUTO_CONVERGE) || m->t < m->next_forced_sync)
		return 0;
	m->next_forced_sync = sat_add(m->next_forced_sync, FORCED_SYNC);
	int stale = m->st.dirty_sync_count > 1 && m->st.dirty_sync_count == m->sync_at_last_tick;
	int rc = stale ? mig_bitmap_sync(m) : 0;
	m->sync_at_last_tick = m->st.dirty_sync_count;
	return rc;
}

/* One step of ram_save_iterate: one page, or the end of the section. Its
 * loop tests the rate limit before each ram_find_and_save_block, which
 * sends one page, going on past pages XBZRLE finds unchanged (they send
 * nothing) without a test. The limit sees flushed bytes only (qf_flush),
 * so a window sends on until the flush that crosses it: up to a queue of
 * 32 normal pages (128 KiB) or a 32 KiB buffer more. After the first call
 * and every 64th the time is read, in whole ms: past MAX_WAIT, the
 * section ends. */
static int iterate_step(mig *m, err *e)
{
	if (forced_sync(m) < 0)
		return -1;
	uint64_t page;
	int more = (m->finding || !rate_exceeded(m)) ? next_dirty(m, &page, e) : 0;
	if (more < 0)
		return -1;
	m->finding = 0;
	if (more) {
		int pages = send_page(m, page, e);
		if (pages < 0)
			return -1;
		m->finding = pages == 0;
		if (m->finding || m->save_pages++ % 64 != 0 ||
		    (m->t - m->save_start) / MS <= MAX_WAIT / MS)
			return 0;
	}
	mig_send_bytes(m, EOS_BYTES); /* and qemu_fflush */
	m->state = ST_RATE_LIMIT;
	return 0;
}

/* migration_rate_limit: close the window if due; if the budget is spent,
 * sleep until the window ends. */
static void rate_limit(mig *m)
{
	update_counters(m);
	int64_t window_end = sat_add(m->iter_start, BUFFER_DELAY);
	if (rate_exceeded(m) && m->t < window_end) {
		m->sleep_from = m->t;
		m->t = m->sleep_until = window_end;
	}
	m->state = ST_LOOP;
}

/* migration_completion: the guest stops; the final sync's pages follow. */
static int complete_begin(mig *m)
{
	m->phase = MIG_PHASE_STOPPED;
	m->downtime_start = m->t;
	m->st.switchover = m->t - m->cfg.start;
	m->st.cpu_throttle_percentage = m->cpu->throttle_pct;
	vcpu_pause(m->cpu, m->t);
	m->rate_limited = 0;
	m->last_stage = 1;
	if (mig_bitmap_sync(m) < 0)
		return -1;
	m->state = ST_FINAL;
	return 0;
}

static int final_step(mig *m, err *e)
{
	uint64_t page;
	int more = next_dirty(m, &page, e);
	if (more)
		return more < 0 || send_page(m, page, e) < 0 ? -1 : 0;
	if (m->mf && multifd_flush_and_sync(m, e) < 0) /* ram_save_complete */
		return -1;
	m->st.stop_ram = m->t - m->downtime_start;
	mig_send_bytes(m, EOS_BYTES);
	mig_send_bytes(m, m->p.device_state_size);
	m->last_write = m->t; /* qemu_savevm_state_complete_precopy's last flush */
	m->st.stop_written = m->last_write - m->downtime_start;
	m->state = ST_FINISH;
	return 0;
}

/* migration_downtime_end. QEMU's `downtime` is the difference of two
 * readings of its millisecond clock (QEMU_CLOCK_REALTIME), and 0 stands for
 * "not measured yet": postcopy_start measures it once the package is
 * written, but a switch whose source side took under a millisecond leaves
 * it 0, and migration_completion_end measures it again at the end of the
 * whole post-copy phase. Here the clock is the simulated one, in ms. */
void mig_downtime_end(mig *m, int64_t now)
{
	if (m->downtime_set)
		return;
	m->st.downtime = now - m->downtime_start;
	m->downtime_set = now / MS != m->downtime_start / MS;
}

/* When migration_completion_end runs on the source: after the last write
 * (qemu_fflush of the completion stage), and, with the return path open
 * (postcopy-ram), after close_return_path_on_source has joined the thread
 * that waits for the destination's SHUT, sent once it has loaded the
 * stream and started the guest (migration_incoming_state_destroy): the
 * last byte's arrival plus the latency back. */
static int64_t completion_end(const mig *m, int64_t last_arrival)
{
	if (!(m->cfg.caps & CAP_POSTCOPY_RAM))
		return m->last_write;
	return sat_add(last_arrival, link_socket_latency(m->link, m->cfg.sock));
}

/* --- storage (sim/storage.h): the disks' hooks, one place ------------------ */

int mig_storage_cutover(mig *m, int64_t t, err *e)
{
	return m->cfg.storage ? storage_cutover(m->cfg.storage, t, m->st.transferred, e) : 0;
}

/* Alone on its link this is link_arrival; sharing it, the migration waits
 * for its own bytes only, which the wire interleaved with the others'. */
int64_t mig_arrival(const mig *m)
{
	int64_t last = link_socket_arrival(m->link, m->cfg.sock);
	int64_t t = multifd_arrival(m);
	if (t > last)
		last = t;
	if (m->urgent_arrival > last)
		last = m->urgent_arrival;
	int disks = m->cfg.storage ? storage_socket(m->cfg.storage) : -1;
	t = disks >= 0 ? link_socket_arrival(m->link, disks) : 0;
	return t > last ? t : last;
}

/* The disks are on the destination too, checked cluster by cluster: 0, or
 * -1 with the run failed. */
static int storage_done(mig *m)
{
	char msg[256];
	if (m->cfg.storage && storage_verify(m->cfg.storage, msg, sizeof msg) < 0) {
		mig_fail(m, "%s", msg);
		return -1;
	}
	return 0;
}

/* The mirror or the stream sends its next cluster before the RAM
 * migration's next step: the mirror until it is ready (RAM waits), while
 * stopped (the switch-over waits for sync), in turn with RAM otherwise. */
static int storage_turn(const mig *m)
{
	return m->cfg.storage && m->state != ST_FINISH &&
	       storage_wants(m->cfg.storage, m->phase == MIG_PHASE_STOPPED, m->state == ST_STREAM,
			     m->st.transferred);
}

/* The RAM is on the destination: the migration is complete, or goes on
 * while the disks' stream copies what is left. */
static void ram_complete(mig *m)
{
	if (m->cfg.storage && storage_streaming(m->cfg.storage))
		m->state = ST_STREAM;
	else if (storage_done(m) == 0)
		m->status = MIG_STATUS_COMPLETED;
}

/* The stream copied the last cluster: the migration is complete. */
static int stream_end(mig *m)
{
	if (storage_done(m) == 0)
		m->status = MIG_STATUS_COMPLETED;
	return 0;
}

static int finish(mig *m, err *e)
{
	int64_t end = mig_arrival(m); /* the preempt channel's bytes too */
	if (m->t < end) {
		/* Still stopped until the last byte lands: the thread waits, so
		 * the samples taken meanwhile see the guest down, not done. */
		m->t = end;
		return 0;
	}
	end = m->t;
	pass_now(m)->end = end - m->cfg.start;
	m->st.ended_in = m->arrival ? MIG_PHASE_POSTCOPY : MIG_PHASE_STOPPED;
	if (!m->arrival) /* in post-copy the guest resumed at the switch */
		m->st.guest_pause = end - m->downtime_start;
	m->st.downtime_to_completion = m->arrival && !m->downtime_set;
	mig_downtime_end(m, completion_end(m, end));
	m->st.risk_window = m->arrival ? end - m->downtime_start : 0;
	m->st.total_time = end - m->cfg.start;
	m->st.remaining = 0;
	m->st.expected_downtime = 0;
	int64_t transfer = m->st.total_time - m->st.setup_time;
	if (transfer > 0)
		m->st.mbps = (double)m->st.transferred * 8 / ((double)transfer / 1e9) / 1e6;
	m->phase = MIG_PHASE_DONE;
	vcpu_set_throttle(m->cpu, 0); /* cpu_throttle_stop */
	if (m->arrival) {
		if (postcopy_finish(m, e) < 0)
			return -1;
		if (m->status == MIG_STATUS_ACTIVE)
			ram_complete(m);
		return 0;
	}
	uint64_t diff;
	if (guest_compare(m->src, m->dst, &diff))
		return mig_fail(m,
				"destination memory differs from the source at page %llu "
				"(a simulator bug: please report it)",
				(unsigned long long)diff);
	if (mig_storage_cutover(m, end, e) < 0)
		return -1;
	ram_complete(m);
	return vcpu_resume(m->cpu, end, m->dst, e);
}

/* When the migration gives up, in any phase: the timeout after the migrate
 * command; INT64_MAX without one (or one past the clock's range). */
int64_t mig_deadline(const mig *m)
{
	return m->cfg.timeout ? sat_add(m->cfg.start, m->cfg.timeout) : INT64_MAX;
}

int64_t mig_next_event(const mig *m)
{
	int64_t dl = mig_deadline(m);
	return m->t < dl ? m->t : dl;
}

/* The run ends at `at`, failed. The guest stops there for good (the run is
 * over, not the guest: see the messages); the counters are that instant's,
 * a downtime or risk window still open runs to it. */
static void give_up(mig *m, int64_t at)
{
	m->t = at;
	m->st.ended_in = m->phase;
	m->st.total_time = at - m->cfg.start;
	if (m->st.setup_time > m->st.total_time)
		m->st.setup_time = m->st.total_time;
	m->st.remaining = m->dirty_pages * m->ps;
	if (m->phase == MIG_PHASE_STOPPED || m->arrival) {
		/* QEMU shows no downtime for a failed migration: both run to the
		 * deadline, unless they ended before it. */
		int64_t stopped = at - m->downtime_start;
		if (!m->arrival || m->st.guest_pause > stopped) /* not resumed by `at` */
			m->st.guest_pause = stopped;
		if (!m->downtime_set || m->st.downtime > stopped)
			m->st.downtime = stopped;
		if (m->arrival)
			m->st.risk_window = stopped;
	}
	vcpu_pause(m->cpu, at);
}

/* Why the run ended at the deadline `at`. What the management does there
 * is QEMU's migrate_cancel, which in setup, pre-copy and stop-and-copy ends
 * the migration and leaves (or resumes) the guest on the source. Once
 * post-copy has begun QEMU refuses it (qmp_migrate_cancel: the source is no
 * longer a complete guest) and the migration would go on; the run ends at
 * the deadline all the same, failed, and says so. */
static void fail_at_deadline(mig *m, int64_t at)
{
	double limit = (double)m->cfg.timeout / 1e9;
	if (m->arrival) {
		guest_set_fault_handler(m->dst, NULL, NULL);
		mig_fail(
		    m,
		    "post-copy did not complete within the timeout of %.3f s (%llu pages not "
		    "yet at the destination): QEMU cannot cancel a migration in post-copy, and "
		    "the source holds the only copy of those pages",
		    limit, (unsigned long long)postcopy_undelivered(m, at));
	} else if (m->phase == MIG_PHASE_STOPPED) {
		mig_fail(m,
			 "did not complete within the timeout of %.3f s: stopped for switch-over "
			 "at %.3f s, the final stage had not reached the destination (%llu bytes "
			 "still dirty); cancelled, the guest resumes on the source",
			 limit, (double)m->st.switchover / 1e9,
			 (unsigned long long)m->st.remaining);
	} else if (m->state == ST_STREAM) {
		mig_fail(m,
			 "the disks' stream did not complete within the timeout of %.3f s (%llu "
			 "clusters only on the source)",
			 limit, (unsigned long long)storage_lost(m->cfg.storage));
	} else if (m->phase == MIG_PHASE_SETUP && m->cfg.storage &&
		   !storage_ram_may_start(m->cfg.storage)) {
		char why[400];
		storage_not_ready(m->cfg.storage, why, sizeof why);
		mig_fail(m, "did not start the RAM migration within the timeout of %.3f s: %s",
			 limit, why);
	} else if (m->phase == MIG_PHASE_SETUP || m->st.setup_time == m->st.total_time) {
		mig_fail(m,
			 "did not finish setup within the timeout of %.3f s (setup-cost %.3f s); "
			 "cancelled, the guest stays on the source",
			 limit, (double)m->p.setup_cost / 1e9);
	} else {
		mig_fail(m,
			 "did not converge within the timeout of %.3f s: %llu bitmap syncs, %llu "
			 "bytes still dirty, switch-over threshold %llu bytes",
			 limit, (unsigned long long)m->st.dirty_sync_count,
			 (unsigned long long)m->st.remaining, (unsigned long long)m->st.threshold);
	}
}

int mig_cancel(mig *m, int64_t at, const char *why)
{
	if (m->status != MIG_STATUS_ACTIVE || m->arrival)
		return 0; /* QEMU's qmp_migrate_cancel refuses once post-copy began */
	give_up(m, at > m->t ? at : m->t);
	mig_fail(m, "cancelled: %s", why);
	return 1;
}

/* Called with the simulation's clock at the deadline (mig_next_event never
 * schedules past it), so the guest stops at exactly that instant and a run
 * that fails in pre-copy counts the same guest steps as an unmigrated one. */
static int timed_out(mig *m)
{
	int64_t at = mig_deadline(m);
	if (m->t < at)
		return 0;
	give_up(m, at);
	fail_at_deadline(m, at);
	return 1;
}

/* A step took the thread's clock to the end of its range, INT64_MAX, with
 * no deadline before it: the migration cannot end within ~292 years of
 * simulated time. The run ends, failed, when that step began. */
static void out_of_clock(mig *m, int64_t step_began)
{
	give_up(m, step_began);
	mig_fail(m, "cannot complete within the simulated clock's range (~292 years) and no "
		    "timeout ends it sooner: a rate, size, latency or cost too extreme");
}

/* Post-copy's run-ahead (postcopy.c) moves the thread's clock past the
 * simulation's: each step's start is logged with the counters the time
 * series samples, so that a sample taken later for an earlier instant
 * reads them as they were then (mig_get_stats_at). */
static int log_progress(mig *m)
{
	struct mig_progress *pl = &m->progress;
	if (pl->n == pl->cap) {
		if (pl->head) { /* samples have consumed the front: reuse it */
			pl->n -= pl->head;
			memmove(pl->at, pl->at + pl->head, pl->n * sizeof *pl->at);
			pl->head = 0;
		}
		if (pl->n == pl->cap) {
			size_t cap = pl->cap ? 2 * pl->cap : 256;
			struct mig_point *grown = realloc(pl->at, cap * sizeof *grown);
			if (!grown)
				return -1;
			pl->at = grown;
			pl->cap = cap;
		}
	}
	pl->at[pl->n++] = (struct mig_point){m->t, m->st.transferred, m->dirty_pages};
	return 0;
}

/* One step of the state machine: a page, a wait, a state change. */
static int step(mig *m, err *e)
{
	if (m->phase == MIG_PHASE_POSTCOPY && log_progress(m) < 0)
		return -1;
	if (m->mf)
		multifd_account(m);
	if (storage_turn(m))
		return storage_step(m->cfg.storage, &m->t, e);
	switch (m->state) {
	case ST_SETUP:
		return do_setup(m, e);
	case ST_LOOP:
		if (rate_exceeded(m))
			m->state = ST_RATE_LIMIT;
		else
			return iteration_run(m, e);
		return 0;
	case ST_ITERATE:
		return iterate_step(m, e);
	case ST_RATE_LIMIT:
		rate_limit(m);
		return 0;
	case ST_COMPLETE:
		return complete_begin(m);
	case ST_FINAL:
		return final_step(m, e);
	case ST_FINISH:
		return finish(m, e);
	case ST_STREAM:
		return stream_end(m);
	}
	return 0;
}

/* Runs steps while the clock is before `limit` and the deadline, and
 * `until_finish` or the thread has not reached its last state. */
static int run(mig *m, int64_t limit, int until_finish, err *e)
{
	while (m->status == MIG_STATUS_ACTIVE && m->t < limit && m->t < mig_deadline(m) &&
	       (until_finish || m->state != ST_FINISH)) {
		int64_t step_began = m->t;
		if (vcpu_settle(m->cpu, m->t, e) < 0 || step(m, e) < 0)
			return e && e->msg[0] ? -1 : err_set(e, "out of memory in the migration");
		if (m->t == INT64_MAX && m->status == MIG_STATUS_ACTIVE &&
		    mig_deadline(m) == INT64_MAX)
			out_of_clock(m, step_began);
	}
	return 0;
}

int mig_advance(mig *m, int64_t limit, err *e)
{
	if (m->status == MIG_STATUS_ACTIVE && timed_out(m))
		return 0;
	return run(m, limit, 1, e);
}

/* The end (finish: the last arrival, the check, the deadline's failure)
 * is left to mig_advance, at the simulation's own time. */
int mig_run_ahead(mig *m, int64_t limit, err *e)
{
	return run(m, limit, 0, e);
}

/* get_queued_page: the requested page is the next one sent, and the scan
 * goes on after it (ram_save_iterate's loop does not stop for the rate
 * limit while a request is queued). A request that comes while the thread
 * sleeps out the rate limit's window ends the sleep
 * (migration_make_urgent_request); the thread sleeps again after it. */
int mig_serve_request(mig *m, uint64_t page, int64_t at, err *e)
{
	int64_t resume = m->t;
	if (m->t == m->sleep_until && at >= m->sleep_from && at < m->t)
		m->t = at;
	if (send_page(m, page, e) < 0)
		return -1;
	m->scan = page + 1;
	if (m->t < resume)
		m->t = resume;
	return 0;
}

/* --- life cycle and queries ------------------------------------------------------------- */

int mig_new(mig **out, const struct mig_config *cfg, guest *src, guest *dst, struct link *l,
	    struct vcpu *cpu, err *e)
{
	mig *m = calloc(1, sizeof *m);
	if (!m)
		return err_set(e, "out of memory");
	m->cfg = *cfg;
	m->p = *cfg->params;
	m->src = src;
	m->dst = dst;
	m->link = l;
	m->cpu = cpu;
	m->npages = guest_pages(src);
	m->ps = guest_page_size(src);
	m->nwords = (size_t)((m->npages + 63) / 64);
	m->bitmap = calloc(m->nwords ? m->nwords : 1, sizeof *m->bitmap);
	m->scratch = malloc(m->ps);
	m->delta = malloc(m->ps);
	if (m->p.clear_bitmap_shift) { /* ram_list_init_bitmaps */
		m->clear_shift = (unsigned)m->p.clear_bitmap_shift;
		uint64_t chunks = ((m->npages - 1) >> m->clear_shift) + 1;
		m->clear_words = (size_t)((chunks + 63) / 64);
		m->clear_bmap = calloc(m->clear_words, sizeof *m->clear_bmap);
	}
	if (!m->bitmap || !m->scratch || !m->delta || (m->clear_shift && !m->clear_bmap)) {
		unsigned long long npages = m->npages; /* m is gone after mig_free */
		mig_free(m);
		return err_set(e, "out of memory for the dirty bitmap of %llu pages", npages);
	}
	m->t = cfg->start;
	m->state = ST_SETUP;
	m->phase = MIG_PHASE_SETUP;
	m->status = MIG_STATUS_ACTIVE;
	m->st.total = m->npages * m->ps;
	m->st.page_size = m->ps;
	if (cfg->caps & CAP_XBZRLE) {
		const char *why = NULL;
		if (pcache_new(&m->cache, m->p.xbzrle_cache_size, m->ps, &why) < 0) {
			mig_free(m);
			return err_set(e, "xbzrle-cache-size: %s", why);
		}
		m->st.xbzrle.cache_size = pcache_capacity_bytes(m->cache);
	}
	if ((cfg->caps & CAP_MULTIFD) && multifd_init(m, e) < 0) {
		mig_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

void mig_free(mig *m)
{
	if (!m)
		return;
	free(m->bitmap);
	free(m->clear_bmap);
	free(m->scratch);
	free(m->delta);
	pcache_free(m->cache);
	multifd_free(m);
	postcopy_free(m);
	free(m->progress.at);
	free(m->passes);
	free(m);
}

int64_t mig_clock(const mig *m)
{
	return m->t;
}

enum mig_status mig_status(const mig *m)
{
	return m->status;
}

enum mig_phase mig_phase(const mig *m)
{
	return m->phase;
}

const char *mig_error(const mig *m)
{
	return m->error;
}

void mig_get_stats(const mig *m, struct mig_stats *out)
{
	*out = m->st;
	if (m->status == MIG_STATUS_ACTIVE)
		out->remaining = m->dirty_pages * m->ps;
}

/* The last logged step that began at or before t holds the counters at t;
 * before the first, nothing had changed yet. Samples come in time order:
 * the steps before that one are dropped. */
void mig_get_stats_at(mig *m, int64_t t, struct mig_stats *out)
{
	mig_get_stats(m, out);
	struct mig_progress *pl = &m->progress;
	if (t >= m->t)
		pl->head = pl->n; /* all in the past: the current counters hold */
	if (m->status != MIG_STATUS_ACTIVE || pl->head == pl->n)
		return;
	while (pl->head + 1 < pl->n && pl->at[pl->head + 1].t <= t)
		pl->head++;
	const struct mig_point *x = &pl->at[pl->head];
	out->transferred = x->transferred;
	out->remaining = x->dirty_pages * m->ps;
}

const struct mig_pass *mig_passes(const mig *m, size_t *n)
{
	*n = m->npasses;
	return m->passes;
}

void mig_fail_at(mig *m, int64_t at, const char *why)
{
	if (m->status != MIG_STATUS_ACTIVE)
		return;
	if (m->arrival)
		guest_set_fault_handler(m->dst, NULL, NULL);
	give_up(m, at);
	mig_fail(m, "%s", why);
}
