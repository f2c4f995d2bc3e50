/*
 * postcopy — the post-copy phase of a migration (§4 of the QEMU reference):
 * the switch-over rules, the switch itself (the guest stops, the pages still
 * dirty are discarded on the destination, the device state goes across and
 * the guest resumes there), the guest's faults on missing pages, and the
 * final check of the destination.
 *
 * The background stream is the migration thread's own page loop (mig.c);
 * here a page it sends is recorded as in flight with its arrival time and is
 * installed on the destination when the guest first touches it or when the
 * migration ends. The source is stopped for good at the switch, so the bytes
 * installed are exactly the bytes that were sent.
 *
 * The background stream does not stop while a vCPU waits for a page: a
 * fault first runs the migration thread on to the fault's time
 * (mig_run_ahead), and the request's arrival at the source too, as QEMU's
 * ram_save_iterate goes on sending while requests are queued. A fault on a
 * page that has arrived costs nothing; one on a page in flight waits for
 * it. A request takes one latency to reach the source; without
 * postcopy-preempt the page is the thread's next, queued on the main stream
 * behind everything already buffered, and the background scan continues
 * after it.
 * With postcopy-preempt it goes on the preempt channel, a second socket on
 * the same network: urgent bytes on the shared link (link_send_urgent), ahead
 * of the main stream's buffered bytes, which arrive that much later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mig_int.h"
#include "units.h"

#define DISCARD_RANGE_BYTES 16	/* be64 start, be64 length per range of pages */
#define PACKAGE_OVERHEAD    64	/* LISTEN, PING, RUN commands and the length */
#define REQUEST_BYTES	    16	/* REQ_PAGES on the return path */
#define STUCK_PROGRESS	    0.9 /* when-stuck: pending must fall below 90 % ... */
#define STUCK_SYNCS	    2	/* ... at one of this many consecutive syncs */

int postcopy_parse(const char *s, struct postcopy_policy *out, err *e)
{
	memset(out, 0, sizeof *out);
	char *end;
	if (!strcmp(s, "immediately"))
		out->rule = POSTCOPY_IMMEDIATELY;
	else if (!strcmp(s, "after-first-pass")) {
		out->rule = POSTCOPY_AFTER_PASSES;
		out->passes = 1;
	} else if (!strncmp(s, "after-passes=", 13)) {
		unsigned long n = strtoul(s + 13, &end, 10);
		if (end == s + 13 || *end || n == 0 || n > 100000)
			return err_set(
			    e, "after-passes needs a whole number of passes from 1 to 100000");
		out->rule = POSTCOPY_AFTER_PASSES;
		out->passes = (unsigned)n;
	} else if (!strncmp(s, "after=", 6)) {
		if (units_duration(s + 6, 0, &out->after, e) < 0)
			return -1;
		out->rule = POSTCOPY_AFTER_TIME;
	} else if (!strcmp(s, "when-stuck"))
		out->rule = POSTCOPY_WHEN_STUCK;
	else
		return err_set(e,
			       "unknown post-copy rule '%s' (immediately, after-first-pass, "
			       "after-passes=N, after=DURATION, when-stuck)",
			       s);
	return 0;
}

char *postcopy_format(const struct postcopy_policy *pp, char *buf, size_t n)
{
	switch (pp->rule) {
	case POSTCOPY_NEVER:
		snprintf(buf, n, "never");
		break;
	case POSTCOPY_IMMEDIATELY:
		snprintf(buf, n, "immediately");
		break;
	case POSTCOPY_AFTER_PASSES:
		if (pp->passes == 1)
			snprintf(buf, n, "after-first-pass");
		else
			snprintf(buf, n, "after-passes=%u", pp->passes);
		break;
	case POSTCOPY_AFTER_TIME:
		snprintf(buf, n, "after=%lldns", (long long)pp->after);
		break;
	case POSTCOPY_WHEN_STUCK:
		snprintf(buf, n, "when-stuck");
		break;
	}
	return buf;
}

/* --- when to switch --------------------------------------------------------------- */

void postcopy_note_sync(mig *m)
{
	uint64_t pending = m->dirty_pages;
	if (m->st.dirty_sync_count >= 3) /* the first pass's sync has nothing to compare */
		m->stuck_syncs =
		    pending > STUCK_PROGRESS * (double)m->pending_prev ? m->stuck_syncs + 1 : 0;
	m->pending_prev = pending;
}

int postcopy_due(mig *m)
{
	const struct postcopy_policy *pp = &m->cfg.postcopy;
	switch (pp->rule) {
	case POSTCOPY_NEVER:
		return 0;
	case POSTCOPY_IMMEDIATELY:
		return 1;
	case POSTCOPY_AFTER_PASSES: /* the setup sync counts: pass N ends at sync N + 1 */
		return m->st.dirty_sync_count >= (uint64_t)pp->passes + 1;
	case POSTCOPY_AFTER_TIME:
		return m->t - m->cfg.start >= pp->after;
	case POSTCOPY_WHEN_STUCK:
		return m->stuck_syncs >= STUCK_SYNCS;
	}
	return 0;
}

/* --- the switch ----------------------------------------------------------------------- */

/* What ram_postcopy_send_discard_bitmap asks the destination to discard:
 * one range per run of pages dirty at the switch, of which `held` pages the
 * destination had received (re-dirtied since they were sent). */
struct discard {
	uint64_t ranges, held;
};

static struct discard discard_ranges(mig *m)
{
	struct discard d = {0, 0};
	int in_run = 0;
	for (uint64_t p = 0; p < m->npages; p++) {
		int dirty = mig_bitmap_test(m, p);
		if (dirty && guest_page_kind(m->dst, p) != GUEST_MISSING) {
			guest_mark_missing(m->dst, p);
			d.held++;
		}
		if (dirty && !in_run)
			d.ranges++;
		in_run = dirty;
	}
	return d;
}

/* The destination's work from the package's arrival to the guest running
 * (docs/model.md, "The switch to post-copy"): a fixed part, the parameter
 * postcopy-switch-cost (LISTEN: userfaultfd, its registration over RAM, the
 * fault and listen threads; the device state's load; RUN: the bottom half
 * that starts the vCPUs), which is 0 unless given: what it costs depends on
 * the host and the accelerator, and was not derived from the work it does
 * (QEMU 10 under TCG on loopback took ~25 ms beyond the package's transfer);
 * then each discard range (ram_discard_range: a madvise(MADV_DONTNEED)
 * system call and its TLB flush) and each 4 KiB of a page the destination
 * held (the kernel unmaps and frees it), typical kernel costs. */
#define DISCARD_RANGE_COST 2000 /* ns */
#define DISCARD_4K_COST	   250	/* ns */

int64_t postcopy_switch_cost(int64_t fixed, uint64_t ranges, uint64_t held, uint32_t page_size)
{
	double ns = (double)fixed + (double)ranges * DISCARD_RANGE_COST +
		    (double)held * page_size / 4096.0 * DISCARD_4K_COST;
	return sat_ns(ns);
}

static int on_fault(void *ctx, uint64_t page, int is_write, err *e);

/* postcopy_start: stop, final sync, discard, package; QEMU's downtime
 * ends once the package is written (migration_downtime_end), the guest
 * resumes on the destination once the package has arrived and the
 * destination has done the switch's work. */
int postcopy_start(mig *m, err *e)
{
	m->phase = MIG_PHASE_STOPPED;
	m->downtime_start = m->t;
	m->st.switchover = m->t - m->cfg.start;
	m->st.cpu_throttle_percentage = m->cpu->throttle_pct;
	vcpu_pause(m->cpu, m->t);
	vcpu_set_throttle(m->cpu, 0);
	/* multifd carries pre-copy only: its channels are flushed and synced
	 * (multifd_ram_flush_and_sync) before the discard bitmap, so that no
	 * pre-copy page is still on its way to a channel. */
	if (m->mf && multifd_flush_and_sync(m, e) < 0)
		return -1;
	if (mig_bitmap_sync(m) < 0)
		return err_set(e, "out of memory");
	m->arrival = calloc(m->npages, sizeof *m->arrival);
	m->in_flight = calloc(m->nwords ? m->nwords : 1, sizeof *m->in_flight);
	if (!m->arrival || !m->in_flight)
		return err_set(e, "out of memory for post-copy's page table (%llu pages)",
			       (unsigned long long)m->npages);
	struct discard d = discard_ranges(m);
	mig_send_bytes(m, d.ranges * DISCARD_RANGE_BYTES);
	m->st.stop_ram = m->t - m->downtime_start;
	mig_send_bytes(m, sat_addu(m->p.device_state_size, PACKAGE_OVERHEAD));
	m->st.stop_written = m->t - m->downtime_start;
	mig_downtime_end(m, m->t); /* the package is written */
	m->resume = sat_add(mig_arrival(m), postcopy_switch_cost(m->p.postcopy_switch_cost,
								 d.ranges, d.held, m->ps));
	m->st.guest_pause = m->resume - m->downtime_start;
	m->phase = MIG_PHASE_POSTCOPY;
	m->scan = 0; /* the background stream starts again from the start of RAM */
	m->rate_limited = m->p.max_postcopy_bandwidth > 0;
	m->rate_limit_max = m->p.max_postcopy_bandwidth / 10;
	m->state = ST_LOOP;
	guest_set_fault_handler(m->dst, on_fault, m);
	guest_dirty_sync(m->dst, m->in_flight); /* forget installs: only the guest's writes count */
	memset(m->in_flight, 0, m->nwords * sizeof *m->in_flight);
	if (mig_storage_cutover(m, m->resume, e) < 0)
		return -1;
	return vcpu_resume(m->cpu, m->resume, m->dst, e);
}

/* --- pages in flight and faults ---------------------------------------------------------- */

static int flying(const mig *m, uint64_t page)
{
	return (m->in_flight[page / 64] >> (page % 64)) & 1;
}

void postcopy_in_flight(mig *m, uint64_t page)
{
	m->in_flight[page / 64] |= UINT64_C(1) << (page % 64);
	m->arrival[page] = link_socket_arrival(m->link, m->cfg.sock);
}

/* When a page of the background stream arrives: as scheduled when it was
 * sent, plus the requested pages that have overtaken it since. */
static int64_t arrival_of(const mig *m, uint64_t page)
{
	return link_arrival_of(m->link, m->cfg.sock, m->arrival[page]);
}

static int install(mig *m, uint64_t page, err *e)
{
	m->in_flight[page / 64] &= ~(UINT64_C(1) << (page % 64));
	return guest_copy_page_from(m->dst, m->src, page, e);
}

/* The page the vCPU faulted on at t_fault, requested: fills when it
 * reaches the destination. The request takes one latency to the source,
 * where the migration thread has gone on sending meanwhile: if it sent the
 * page by then, the request finds it clean (ram_save_queue_pages counts it
 * all the same) and the page comes on the stream. */
static int request(mig *m, uint64_t page, int64_t t_fault, int64_t *ready, err *e)
{
	int64_t at_source = sat_add(t_fault, link_socket_latency(m->link, m->cfg.sock));
	m->st.postcopy_requests++;
	if (mig_run_ahead(m, at_source, e) < 0)
		return -1;
	if (!mig_bitmap_test(m, page)) {
		*ready = arrival_of(m, page);
		return 0;
	}
	if (!(m->cfg.caps & CAP_POSTCOPY_PREEMPT)) {
		/* get_queued_page: next on the main stream, behind what is
		 * already buffered and on the wire. */
		if (mig_serve_request(m, page, at_source, e) < 0)
			return -1;
		*ready = arrival_of(m, page);
		return 0;
	}
	uint64_t wire = HDR_BYTES + m->ps;
	mig_bitmap_clear(m, page);
	m->st.transferred = sat_addu(m->st.transferred, wire);
	m->st.postcopy_bytes = sat_addu(m->st.postcopy_bytes, wire);
	m->st.normal++;
	m->st.normal_bytes += m->ps;
	if (!m->preempt_block_sent) {
		wire += 1 + (sizeof BLOCK_NAME - 1);
		m->preempt_block_sent = 1;
	}
	/* ram_save_host_page_urgent on the preempt socket, which
	 * postcopy_preempt_setup opened to the same destination as the main
	 * one: the same wire, ahead of the main stream's queue. */
	if (link_send_urgent(m->link, m->cfg.sock, at_source, wire, ready, e) < 0)
		return -1;
	if (*ready > m->urgent_arrival)
		m->urgent_arrival = *ready;
	return 0;
}

/* Blocked from `from` to `to`, as far as the run goes: it ends at the
 * deadline, where the wait may not have. */
static void account_block(mig *m, int64_t from, int64_t to)
{
	int64_t end = mig_deadline(m);
	if (to > end)
		to = end;
	if (to <= from)
		return;
	m->st.postcopy_blocktime = sat_add(m->st.postcopy_blocktime, to - from);
	int64_t early_end = sat_add(m->resume, 1000 * MS);
	int64_t b = to < early_end ? to : early_end;
	if (b > from)
		m->st.early_blocktime += b - from;
}

/* The guest touched a missing page: block until it is there. The
 * migration thread first runs on to the fault's time (it kept sending while
 * the vCPU ran: this step's earlier waits included), so a page that has
 * arrived by now was received: no fault in QEMU, no cost. A page on its
 * way is waited for; any other is requested. QEMU requests every page not
 * yet received (migrate_send_rp_req_pages), on its way or not, and
 * ram_save_queue_pages counts each: one for a page in flight finds it
 * clean and sends nothing. */
static int on_fault(void *ctx, uint64_t page, int is_write, err *e)
{
	mig *m = ctx;
	(void)is_write;
	int64_t t = vcpu_time(m->cpu);
	int64_t ready;
	if (mig_run_ahead(m, t, e) < 0)
		return -1;
	if (flying(m, page)) {
		ready = arrival_of(m, page);
		if (ready > t)
			m->st.postcopy_requests++;
	} else if (mig_bitmap_test(m, page)) {
		if (request(m, page, t, &ready, e) < 0)
			return -1;
	} else
		return err_set(e,
			       "post-copy: page %llu is missing but neither queued nor "
			       "in flight (a simulator bug)",
			       (unsigned long long)page);
	if (ready > t) {
		vcpu_block(m->cpu, ready - t);
		account_block(m, t, ready);
	}
	return install(m, page, e);
}

/* --- the end ----------------------------------------------------------------------------- */

uint64_t postcopy_undelivered(const mig *m, int64_t t)
{
	uint64_t n = 0;
	for (uint64_t p = 0; p < m->npages; p++)
		n += mig_bitmap_test(m, p) || (flying(m, p) && arrival_of(m, p) > t);
	return n;
}

/* Delivers the pages still in flight, then checks every page the guest has
 * not written since it resumed against the (stopped) source. */
int postcopy_finish(mig *m, err *e)
{
	for (uint64_t p = 0; p < m->npages; p++)
		if (flying(m, p) && install(m, p, e) < 0)
			return -1;
	uint64_t *written = m->in_flight; /* now all clear: reuse it */
	guest_dirty_sync(m->dst, written);
	uint64_t bad = m->npages;
	for (uint64_t p = 0; p < m->npages && bad == m->npages; p++)
		if (!((written[p / 64] >> (p % 64)) & 1) && !guest_page_equal(m->src, m->dst, p))
			bad = p;
	if (bad != m->npages)
		return mig_fail(m,
				"destination memory differs from the source at page %llu after "
				"post-copy (a simulator bug: please report it)",
				(unsigned long long)bad);
	guest_set_fault_handler(m->dst, NULL, NULL);
	return 0;
}

void postcopy_free(mig *m)
{
	free(m->arrival);
	free(m->in_flight);
}
