/*
 * link — a FIFO wire behind a bounded send buffer (see link.h). The wire is
 * tracked by one number, the time it becomes idle; buffered bytes are the
 * part of the wire's backlog that has not left yet. Times saturate at the
 * end of the simulated clock (sim/sat.h): a wire too slow for its bytes to
 * leave within ~292 years is busy "forever", not busy until a wrapped time.
 */
#include "link.h"

#include <math.h>

#include "sat.h"

int link_init(struct link *l, const struct link_config *cfg, err *e)
{
	if (!(cfg->bandwidth > 0) || !isfinite(cfg->bandwidth))
		return err_set(e, "link bandwidth must be a positive rate");
	if (cfg->latency < 0)
		return err_set(e, "link latency must not be negative");
	l->cfg = *cfg;
	l->wire_free = 0;
	l->sent = 0;
	return 0;
}

/* Capped at 2^63 ns, "never": wire_free stays finite, so no difference of
 * two such times is infinity minus infinity. */
static double ns_cap(double ns)
{
	return ns < SAT_TWO_63 ? ns : SAT_TWO_63;
}

static double ns_for(const struct link *l, double bytes)
{
	return ns_cap(bytes * 1e9 / l->cfg.bandwidth);
}

int64_t link_send(struct link *l, int64_t t, uint64_t bytes)
{
	double start = l->wire_free > (double)t ? l->wire_free : (double)t;
	l->wire_free = ns_cap(start + ns_for(l, (double)bytes));
	l->sent = sat_addu(l->sent, bytes);
	if (l->cfg.buffer_bytes == 0)
		return t;
	/* The writer continues once no more than buffer_bytes remain queued. */
	double resume = l->wire_free - ns_for(l, (double)l->cfg.buffer_bytes);
	if (resume <= (double)t)
		return t;
	return sat_ns(ceil(resume));
}

int64_t link_arrival(const struct link *l)
{
	return sat_add(sat_ns(ceil(l->wire_free)), l->cfg.latency);
}

uint64_t link_backlog(const struct link *l, int64_t t)
{
	if (l->wire_free <= (double)t)
		return 0;
	return sat_u64((l->wire_free - (double)t) * l->cfg.bandwidth / 1e9);
}
