/*
 * multifd — the channels and packets of QEMU's multifd for the migration
 * thread (see multifd.h). Each channel's thread is modelled by the time it
 * is idle again: it takes a packet at the migration thread's clock (the
 * thread hands a packet only to an idle channel), reads the packet's pages
 * then, computes for the zero test, the codec and the copy into its
 * socket, and writes the packet; its write returns when its socket's
 * buffer has room (sim/link.h), and the packet's bytes count in
 * multifd-bytes from then on, as multifd_send_thread adds them once its
 * write returned.
 */
#include "multifd.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "mig_int.h"
#include "zero.h"

struct mf_channel {
	int sock;	      /* its socket on the link */
	int64_t free;	      /* idle from here: its last write returned */
	uint64_t unaccounted; /* bytes of that write not yet in multifd-bytes */
	void *enc, *dec;      /* the codec's stream state: source's, destination's */
	int64_t cpu;	      /* ns computed */
};

struct multifd {
	const struct codec *codec;
	int level;
	uint32_t page_count;
	uint64_t packet_len;
	int n, next; /* channels; where multifd_send's search starts */
	struct mf_channel *ch;
	uint64_t *queue; /* the packet being filled: its pages */
	uint32_t queued;
	uint64_t *normal, *zero; /* a packet's pages, split by the zero test */
	const uint8_t **bytes;	 /* the normal pages' bytes */
	uint8_t *scratch;	 /* page_count pages: procedural pages' bytes */
	uint8_t **decoded;	 /* into dec_buf, one page each */
	uint8_t *dec_buf;
	uint8_t *out; /* the encoded payload */
	size_t cap;
};

uint32_t multifd_page_count(uint32_t page_size)
{
	uint32_t n = page_size ? MULTIFD_PACKET_SIZE / page_size : 0;
	return n ? n : 1;
}

uint64_t multifd_packet_len(uint32_t page_size)
{
	return MULTIFD_HDR_BYTES + 8 * (uint64_t)multifd_page_count(page_size);
}

int multifd_check_host(const struct mig_params *p, unsigned caps, err *e)
{
	int threads = p->multifd_channels + 2;
	if (!(caps & CAP_MULTIFD) || p->host_cpus == 0 || p->host_cpus >= threads)
		return 0;
	return err_set(e,
		       "host-cpus=%d with multifd: the vCPU, the migration thread and %d "
		       "channels would share them, which migsim does not model; use host-cpus=0 "
		       "(one CPU each) or at least %d",
		       p->host_cpus, p->multifd_channels, threads);
}

/* --- life cycle ----------------------------------------------------------- */

/* Each channel a connection to the migration's destination: its main
 * channel's latency. */
static int open_channels(mig *m, struct multifd *mf, err *e)
{
	int64_t latency = link_socket_latency(m->link, m->cfg.sock);
	for (int i = 0; i < mf->n; i++) {
		struct mf_channel *c = &mf->ch[i];
		c->free = m->t;
		if (link_socket_open(m->link, m->p.send_buffer_size, latency, &c->sock, e) < 0 ||
		    link_socket_join(m->link, c->sock, m->cfg.sock, e) < 0)
			return -1;
		if (mf->codec->open(&c->enc, mf->level, m->ps, e) < 0 ||
		    mf->codec->open(&c->dec, mf->level, m->ps, e) < 0)
			return err_wrap(e, "multifd-compression %s", mf->codec->name);
	}
	return 0;
}

int multifd_init(mig *m, err *e)
{
	const char *name = params_multifd_compression_name(m->p.multifd_compression);
	const struct codec *codec = codec_find(name);
	if (!codec || codec->kind != CODEC_PACKET)
		return err_set(e, "multifd-compression %s: no such packet encoder in this build",
			       name);
	struct multifd *mf = calloc(1, sizeof *mf);
	if (!mf)
		return err_set(e, "out of memory for multifd");
	m->mf = mf;
	mf->codec = codec;
	mf->level = params_multifd_level(&m->p);
	mf->page_count = multifd_page_count(m->ps);
	mf->packet_len = multifd_packet_len(m->ps);
	mf->n = m->p.multifd_channels;
	mf->cap = codec->bound(mf->page_count, m->ps);
	size_t pc = mf->page_count;
	mf->ch = calloc((size_t)mf->n, sizeof *mf->ch);
	mf->queue = malloc(pc * sizeof *mf->queue);
	mf->normal = malloc(pc * sizeof *mf->normal);
	mf->zero = malloc(pc * sizeof *mf->zero);
	mf->bytes = malloc(pc * sizeof *mf->bytes);
	mf->decoded = malloc(pc * sizeof *mf->decoded);
	mf->scratch = malloc(pc * m->ps);
	mf->dec_buf = malloc(pc * m->ps);
	mf->out = malloc(mf->cap ? mf->cap : 1);
	if (!mf->ch || !mf->queue || !mf->normal || !mf->zero || !mf->bytes || !mf->decoded ||
	    !mf->scratch || !mf->dec_buf || !mf->out)
		return err_set(e, "out of memory for multifd's %u-page packets",
			       (unsigned)mf->page_count);
	for (size_t i = 0; i < pc; i++)
		mf->decoded[i] = mf->dec_buf + i * m->ps;
	return open_channels(m, mf, e);
}

void multifd_free(mig *m)
{
	struct multifd *mf = m->mf;
	if (!mf)
		return;
	for (int i = 0; mf->ch && i < mf->n; i++) {
		if (mf->ch[i].enc)
			mf->codec->close(mf->ch[i].enc);
		if (mf->ch[i].dec)
			mf->codec->close(mf->ch[i].dec);
	}
	free(mf->ch);
	free(mf->queue);
	free(mf->normal);
	free(mf->zero);
	free(mf->bytes);
	free(mf->decoded);
	free(mf->scratch);
	free(mf->dec_buf);
	free(mf->out);
	free(mf);
	m->mf = NULL;
}

int multifd_active(const mig *m)
{
	return m->mf && m->phase != MIG_PHASE_POSTCOPY;
}

int64_t multifd_arrival(const mig *m)
{
	int64_t last = 0;
	for (int i = 0; m->mf && i < m->mf->n; i++) {
		int sock = m->mf->ch[i].sock;
		int64_t t = sock == LINK_MAIN ? 0 : link_socket_arrival(m->link, sock);
		if (t > last)
			last = t;
	}
	return last;
}

/* --- accounting ------------------------------------------------------------- */

/* Bytes a channel wrote count from the moment its write returned:
 * migration_transferred_bytes (the rate limit, the bandwidth estimate) sees
 * them then, and the pass they were sent in. */
void multifd_account(mig *m)
{
	struct multifd *mf = m->mf;
	for (int i = 0; mf && i < mf->n; i++) {
		struct mf_channel *c = &mf->ch[i];
		if (!c->unaccounted || c->free > m->t)
			continue;
		m->st.transferred = sat_addu(m->st.transferred, c->unaccounted);
		m->st.multifd_bytes = sat_addu(m->st.multifd_bytes, c->unaccounted);
		c->unaccounted = 0;
	}
}

/* The channel computes `cpu` ns from `from` (its own CPU: multifd_check_host)
 * and writes `bytes` to its socket. */
static void channel_write(mig *m, struct mf_channel *c, int64_t from, double cpu, uint64_t bytes)
{
	int64_t ns = sat_ns(cpu);
	c->cpu = sat_add(c->cpu, ns);
	m->st.multifd.channel_cpu = sat_add(m->st.multifd.channel_cpu, ns);
	if (c->cpu > m->st.multifd.busiest_cpu)
		m->st.multifd.busiest_cpu = c->cpu;
	int64_t written = sat_add(from, ns);
	c->free = link_socket_send(m->link, c->sock, written, bytes);
	c->unaccounted = sat_addu(c->unaccounted, bytes);
	if (m->npasses)
		m->passes[m->npasses - 1].bytes = sat_addu(m->passes[m->npasses - 1].bytes, bytes);
}

/* --- packets ------------------------------------------------------------------ */

/* multifd_send: the next idle channel from where the last search stopped;
 * when none is, the thread waits for the first to become idle. */
static struct mf_channel *pick_channel(mig *m)
{
	struct multifd *mf = m->mf;
	int64_t first = INT64_MAX;
	for (int i = 0; i < mf->n; i++)
		if (mf->ch[i].free < first)
			first = mf->ch[i].free;
	if (first > m->t) {
		m->st.multifd.send_wait = sat_add(m->st.multifd.send_wait, first - m->t);
		m->t = first;
		multifd_account(m);
	}
	for (int k = 0; k < mf->n; k++) {
		int i = (mf->next + k) % mf->n;
		if (mf->ch[i].free <= m->t) {
			mf->next = (i + 1) % mf->n;
			return &mf->ch[i];
		}
	}
	return &mf->ch[0]; /* not reached: `first` is idle by now */
}

/* The page's bytes as they are now, and whether it is zero, answered by
 * its kind where guest.c guarantees it (mig.c's page_is_zero). */
static const uint8_t *read_page(mig *m, uint64_t page, uint8_t *scratch, int *zero)
{
	enum guest_kind k = guest_page_kind(m->src, page);
	const uint8_t *b = guest_page_bytes(m->src, page, scratch);
	m->st.pages_read += k == GUEST_MATERIAL;
	*zero = k == GUEST_ZERO ? 1 : k == GUEST_PROCEDURAL ? 0 : zero_test(b, m->ps);
	return b;
}

/* multifd_send_zero_page_detect: with zero-page-detection=multifd, the
 * channel tests each page (the whole of a zero page, the first 64 bytes of
 * another, as mig.c's scan_is_zero) and sends zero pages as offsets only;
 * otherwise every page is normal. Returns the test's CPU ns. */
static double split_pages(mig *m, uint32_t *nnormal, uint32_t *nzero)
{
	struct multifd *mf = m->mf;
	int detect = m->p.zero_page_detection == ZERO_DETECT_MULTIFD;
	double cpu = 0;
	*nnormal = *nzero = 0;
	for (uint32_t i = 0; i < mf->queued; i++) {
		int zero;
		const uint8_t *b =
		    read_page(m, mf->queue[i], mf->scratch + (size_t)i * m->ps, &zero);
		if (detect)
			cpu += m->p.zero_scan_cost * (zero ? m->ps : 64);
		if (detect && zero) {
			mf->zero[(*nzero)++] = mf->queue[i];
		} else {
			mf->bytes[*nnormal] = b;
			mf->normal[(*nnormal)++] = mf->queue[i];
		}
	}
	m->st.normal += *nnormal;
	m->st.normal_bytes += (uint64_t)*nnormal * m->ps;
	m->st.duplicate += *nzero;
	return cpu;
}

/* The destination's multifd_recv_thread: the payload decoded with the real
 * codec on the channel's own stream state, the zero pages' offsets
 * (multifd_recv_zero_page_process) installed as zero pages. */
static int receive(mig *m, struct mf_channel *c, uint32_t nnormal, uint32_t nzero, long len, err *e)
{
	struct multifd *mf = m->mf;
	if (nnormal &&
	    mf->codec->decode(c->dec, mf->decoded, nnormal, m->ps, mf->out, (size_t)len, e) < 0)
		return err_wrap(e, "multifd packet %llu (%s) rejected by the decoder",
				(unsigned long long)m->st.multifd.packets, mf->codec->name);
	for (uint32_t i = 0; i < nnormal; i++)
		if (guest_install_bytes(m->dst, mf->normal[i], mf->decoded[i], e) < 0)
			return -1;
	for (uint32_t i = 0; i < nzero; i++)
		guest_install_zero(m->dst, mf->zero[i]);
	return 0;
}

/* multifd_send, then the channel's multifd_send_thread with the method's
 * send_prepare (multifd_nocomp_send_prepare, multifd_zlib/zstd_send_prepare):
 * a packet without normal pages (all zero) is its header alone; otherwise
 * the codec encodes the normal pages as one unit. */
static int send_packet(mig *m, err *e)
{
	struct multifd *mf = m->mf;
	struct mf_channel *c = pick_channel(m);
	uint32_t nnormal, nzero;
	double cpu = split_pages(m, &nnormal, &nzero);
	long len = 0;
	if (nnormal) {
		len =
		    mf->codec->encode(c->enc, NULL, mf->bytes, nnormal, m->ps, mf->out, mf->cap, e);
		if (len < 0)
			return len == CODEC_ERROR
				   ? err_wrap(e, "multifd-compression %s", mf->codec->name)
				   : err_set(e, "multifd-compression %s declined a packet",
					     mf->codec->name);
		cpu += codec_encode_cost(mf->codec, NULL, mf->level, (size_t)nnormal * m->ps);
	}
	uint64_t wire = mf->packet_len + (uint64_t)len;
	cpu += m->p.page_copy_cost * (double)wire; /* writev into the socket */
	m->st.multifd.packets++;
	m->st.multifd.raw_bytes += (uint64_t)nnormal * m->ps;
	m->st.multifd.payload_bytes += (uint64_t)len;
	if (receive(m, c, nnormal, nzero, len, e) < 0)
		return -1;
	channel_write(m, c, m->t, cpu, wire);
	mf->queued = 0;
	return 0;
}

/* ram_save_multifd_page -> multifd_queue_page: into the packet being
 * filled, which is sent once full. */
int multifd_queue_page(mig *m, uint64_t page, err *e)
{
	struct multifd *mf = m->mf;
	mf->queue[mf->queued++] = page;
	return mf->queued == mf->page_count ? send_packet(m, e) : 0;
}

/* multifd_ram_flush_and_sync: the packet being filled goes out, then
 * multifd_send_sync_main: each channel, once idle, writes a packet with
 * MULTIFD_FLAG_SYNC and no pages, and the thread waits until every channel
 * has; then RAM_SAVE_FLAG_MULTIFD_FLUSH on the main channel. */
int multifd_flush_and_sync(mig *m, err *e)
{
	struct multifd *mf = m->mf;
	if (mf->queued && send_packet(m, e) < 0)
		return -1;
	int64_t all_done = m->t;
	for (int i = 0; i < mf->n; i++) {
		struct mf_channel *c = &mf->ch[i];
		int64_t from = c->free > m->t ? c->free : m->t;
		channel_write(m, c, from, m->p.page_copy_cost * (double)mf->packet_len,
			      mf->packet_len);
		m->st.multifd.sync_packets++;
		if (c->free > all_done)
			all_done = c->free;
	}
	m->t = all_done;
	multifd_account(m);
	mig_send_bytes(m, MULTIFD_FLUSH_BYTES);
	return 0;
}

/* multifd_send_setup: each channel's connection opens with its
 * MultiFDInit_t (multifd_send_initial_packet); ram_save_setup then flushes
 * and syncs. */
int multifd_setup(mig *m, err *e)
{
	struct multifd *mf = m->mf;
	for (int i = 0; i < mf->n; i++)
		channel_write(m, &mf->ch[i], m->t, m->p.page_copy_cost * MULTIFD_INIT_BYTES,
			      MULTIFD_INIT_BYTES);
	return multifd_flush_and_sync(m, e);
}
