/*
 * Unit tests of the XBZRLE encoders and decoder (encoders/xbzrle.h):
 * hand-computed vectors, QEMU's overflow order, a seeded round-trip property
 * test over 100,000 page pairs in which every implementation must agree with
 * the byte-by-byte reference, and malformed deltas the decoder must reject
 * without touching memory it does not own (run under ASan by make check).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xbzrle.h"

#define CANARY 0xA5
#define SLACK  64 /* canary bytes checked past the limit */

/* ck_assert records every passing check through a pipe: far too slow for
 * the hot loops, which report only failures. */
#define REQUIRE(cond, ...)                                                                         \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

/* --- helpers ------------------------------------------------------------------ */

static uint8_t *xalloc(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	REQUIRE(p, "out of memory");
	return p;
}

/* Encodes with impl into a buffer holding the limit plus a canary, checks
 * the canary, and copies the output to out (when not NULL). */
static int encode_checked(enum xbz_impl impl, const uint8_t *o, const uint8_t *n, size_t len,
			  size_t limit, uint8_t *out)
{
	uint8_t *buf = xalloc(limit + SLACK);
	memset(buf, CANARY, limit + SLACK);
	int r = xbz_encode_with(impl, o, n, len, buf, limit);
	for (size_t i = limit; i < limit + SLACK; i++)
		REQUIRE(buf[i] == CANARY, "%s wrote past limit %zu at %zu", xbz_impl_name(impl),
			limit, i);
	if (r > 0 && out)
		memcpy(out, buf, (size_t)r);
	free(buf);
	return r;
}

/* Every available implementation must give want (and, when want > 0, the
 * bytes exp); the delta must decode old back into new. */
static void expect_all(const uint8_t *o, const uint8_t *n, size_t len, size_t limit, int want,
		       const uint8_t *exp)
{
	uint8_t *got = xalloc(limit + 1);
	for (int k = 0; k < XBZ_IMPL_COUNT; k++) {
		if (!xbz_impl_available((enum xbz_impl)k))
			continue;
		int r = encode_checked((enum xbz_impl)k, o, n, len, limit, got);
		ck_assert_msg(r == want, "%s: got %d, want %d", xbz_impl_name((enum xbz_impl)k), r,
			      want);
		if (r <= 0)
			continue;
		ck_assert_msg(memcmp(got, exp, (size_t)r) == 0, "%s: wrong bytes",
			      xbz_impl_name((enum xbz_impl)k));
		uint8_t *page = xalloc(len);
		memcpy(page, o, len);
		const char *why = NULL;
		ck_assert_int_eq(xbz_decode(page, len, got, (size_t)r, &why), 0);
		ck_assert(memcmp(page, n, len) == 0);
		free(page);
	}
	free(got);
}

struct pair {
	uint8_t *o, *n;
	size_t len;
};

static struct pair pair_new(size_t len)
{
	struct pair p = {calloc(len ? len : 1, 1), calloc(len ? len : 1, 1), len};
	ck_assert(p.o && p.n);
	return p;
}

static void pair_free(struct pair p)
{
	free(p.o);
	free(p.n);
}

/* --- hand-computed vectors ------------------------------------------------------- */

/* new[0] = 1 on a zero page: zrun 0 -> 00, nzrun 1 -> 01, byte 01; the
 * trailing zero run of 4095 is not written. */
START_TEST(test_vec_first_byte)
{
	struct pair p = pair_new(4096);
	p.n[0] = 1;
	static const uint8_t want[] = {0x00, 0x01, 0x01};
	expect_all(p.o, p.n, 4096, 4096, 3, want);
	pair_free(p);
}
END_TEST

/* The calloc loop: bytes 0, 1024, 2048, 3072 go 0 -> 1.
 *   zrun 0 -> 00, nzrun 1 -> 01, 01
 *   then three times: zrun 1023 = 0x3ff -> (0x7f|0x80)=ff, 0x3ff>>7=07;
 *   nzrun 1 -> 01; byte 01. Total 3 + 3*4 = 15. */
START_TEST(test_vec_calloc_loop)
{
	struct pair p = pair_new(4096);
	for (int i = 0; i < 4096; i += 1024)
		p.n[i]++;
	static const uint8_t want[] = {0x00, 0x01, 0x01, 0xff, 0x07, 0x01, 0x01, 0xff,
				       0x07, 0x01, 0x01, 0xff, 0x07, 0x01, 0x01};
	expect_all(p.o, p.n, 4096, 4096, 15, want);
	pair_free(p);
}
END_TEST

/* Only byte 4095 changes (to 0xab): zrun 4095 = 0xfff -> ff, 0xfff>>7=1f;
 * nzrun 1 -> 01; ab. */
START_TEST(test_vec_last_byte)
{
	struct pair p = pair_new(4096);
	p.n[4095] = 0xab;
	static const uint8_t want[] = {0xff, 0x1f, 0x01, 0xab};
	expect_all(p.o, p.n, 4096, 4096, 4, want);
	/* Here no trailing zero run follows, so a limit of exactly 4 is enough. */
	expect_all(p.o, p.n, 4096, 4, 4, want);
	expect_all(p.o, p.n, 4096, 3, -1, NULL);
	pair_free(p);
}
END_TEST

/* A zero run of `run` bytes, then `run` changed bytes, then unchanged bytes
 * to the end: the expected delta is hdr followed by new[run .. 2*run). */
static void run_vector(size_t len, size_t run, const uint8_t *hdr, size_t hdr_len)
{
	struct pair p = pair_new(len);
	for (size_t i = 0; i < len; i++)
		p.o[i] = (uint8_t)(i * 7);
	memcpy(p.n, p.o, len);
	for (size_t i = run; i < 2 * run; i++)
		p.n[i] = (uint8_t)~p.o[i];
	uint8_t *want = xalloc(hdr_len + run);
	memcpy(want, hdr, hdr_len);
	memcpy(want + hdr_len, p.n + run, run);
	expect_all(p.o, p.n, len, len, (int)(hdr_len + run), want);
	free(want);
	pair_free(p);
}

/* 127 = 0x7f, the largest 1-byte LEB128: zrun 7f, nzrun 7f. */
START_TEST(test_vec_run_127)
{
	static const uint8_t hdr[] = {0x7f, 0x7f};
	run_vector(4096, 127, hdr, sizeof hdr);
}
END_TEST

/* 128 = 0x80: low 7 bits 0 with the more bit -> 80, 128>>7 = 1 -> 01. */
START_TEST(test_vec_run_128)
{
	static const uint8_t hdr[] = {0x80, 0x01, 0x80, 0x01};
	run_vector(4096, 128, hdr, sizeof hdr);
}
END_TEST

/* 16383 = 0x3fff, the largest 2-byte LEB128: 7f|80 = ff, 0x3fff>>7 = 7f.
 * Page 32768: zrun 16383, nzrun 16383, 2 unchanged bytes at the end. */
START_TEST(test_vec_run_16383)
{
	static const uint8_t hdr[] = {0xff, 0x7f, 0xff, 0x7f};
	run_vector(32768, 16383, hdr, sizeof hdr);
}
END_TEST

/* 16384 = 0x4000: groups 0, 0, 1 -> 80 80 01 (3 bytes, beyond QEMU's
 * uleb128_encode_small). Page 65536. */
START_TEST(test_vec_run_16384)
{
	static const uint8_t hdr[] = {0x80, 0x80, 0x01, 0x80, 0x80, 0x01};
	run_vector(65536, 16384, hdr, sizeof hdr);
}
END_TEST

/* Identical pages: 0 bytes, for any limit >= 2. */
START_TEST(test_vec_identical)
{
	struct pair p = pair_new(4096);
	memset(p.o, 0x5a, 4096);
	memset(p.n, 0x5a, 4096);
	expect_all(p.o, p.n, 4096, 4096, 0, NULL);
	expect_all(p.o, p.n, 4096, 2, 0, NULL);
	pair_free(p);
}
END_TEST

/* Every byte of a 4096-byte page changes: zrun 0 -> 00, nzrun 4096 = 0x1000
 * -> 80 20; then d = 3 and 3 + 4096 > 4096 -> -1 (an overflow, as in QEMU).
 * With limit 4099 the delta fits: 00 80 20 and the 4096 new bytes. */
START_TEST(test_vec_full_rewrite)
{
	struct pair p = pair_new(4096);
	for (int i = 0; i < 4096; i++)
		p.n[i] = (uint8_t)(i % 255 + 1);
	expect_all(p.o, p.n, 4096, 4096, -1, NULL);
	uint8_t *want = xalloc(4099);
	want[0] = 0x00;
	want[1] = 0x80;
	want[2] = 0x20;
	memcpy(want + 3, p.n, 4096);
	expect_all(p.o, p.n, 4096, 4099, 4099, want);
	expect_all(p.o, p.n, 4096, 4098, -1, NULL);
	free(want);
	pair_free(p);
}
END_TEST

/* QEMU's order of checks. */
START_TEST(test_overflow_order)
{
	struct pair p = pair_new(4096);
	/* (a) comes before "identical": limit 0 and 1 fail even with nothing to
	 * write; a 0-byte page is 0 whatever the limit. */
	expect_all(p.o, p.n, 4096, 1, -1, NULL);
	expect_all(p.o, p.n, 4096, 0, -1, NULL);
	expect_all(p.o, p.n, 0, 0, 0, NULL);
	/* Byte 0 changed: 00 01 01 (d = 3), then the loop comes round for the
	 * trailing zero run and (a) asks for d + 2 = 5 <= limit. */
	static const uint8_t want[] = {0x00, 0x01, 0x01};
	p.n[0] = 1;
	expect_all(p.o, p.n, 4096, 3, -1, NULL);
	expect_all(p.o, p.n, 4096, 4, -1, NULL);
	expect_all(p.o, p.n, 4096, 5, 3, want);
	/* (b): limit 2 lets the zero-run length be written (d = 1), then
	 * d + 2 = 3 > 2. */
	expect_all(p.o, p.n, 4096, 2, -1, NULL);
	pair_free(p);
}
END_TEST

/* --- round trips ------------------------------------------------------------------ */

static uint64_t rng_state;

/* splitmix64: small, seeded, and the same on every machine. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

enum pattern { P_SINGLE, P_STRIDED, P_RUNS, P_PCT1, P_PCT25, P_PCT100, P_LEB, P_TINY, P_COUNT };

/* A byte different from b. */
static uint8_t other(uint8_t b)
{
	return (uint8_t)(b + 1 + rnd_below(255));
}

static void make_change(enum pattern pat, uint8_t *o, uint8_t *n, size_t len)
{
	for (size_t i = 0; i < len; i++)
		o[i] = (i & 3) ? 0 : (uint8_t)rnd();
	memcpy(n, o, len);
	if (len == 0)
		return;
	switch (pat) {
	case P_SINGLE:
		n[rnd_below(len)] ^= (uint8_t)(1 + rnd_below(255));
		break;
	case P_STRIDED: {
		size_t stride = 1 + rnd_below(600);
		for (size_t i = rnd_below(stride); i < len; i += stride)
			n[i] = other(o[i]);
		break;
	}
	case P_RUNS:
		for (int r = (int)rnd_below(8) + 1; r > 0; r--) {
			size_t at = rnd_below(len), k = 1 + rnd_below(300);
			for (size_t i = at; i < len && i < at + k; i++)
				n[i] = other(o[i]);
		}
		break;
	case P_PCT1:
	case P_PCT25:
	case P_PCT100: {
		unsigned pct = pat == P_PCT1 ? 1 : pat == P_PCT25 ? 25 : 100;
		for (size_t i = 0; i < len; i++)
			if (rnd_below(100) < pct)
				n[i] = (uint8_t)rnd(); /* may hit the old value: fine */
		break;
	}
	case P_LEB: {
		/* Runs whose lengths sit on the LEB128 boundaries. */
		static const size_t edge[] = {1, 2, 126, 127, 128, 129, 255, 256, 16383, 16384};
		size_t i = rnd_below(2) ? 0 : edge[rnd_below(10)];
		while (i < len) {
			size_t k = edge[rnd_below(10)];
			for (size_t j = i; j < len && j < i + k; j++)
				n[j] = other(o[j]);
			i += k + edge[rnd_below(10)];
		}
		break;
	}
	default: /* P_TINY: nothing or one byte, with tiny limits */
		if (rnd_below(2))
			n[rnd_below(len)] ^= 0x80;
		break;
	}
}

static size_t pick_len(enum pattern pat)
{
	if (pat == P_LEB)
		return rnd_below(4) ? 4096 + rnd_below(3) : 32768 + rnd_below(40000);
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(5000);
	case 1:
		return 1 + rnd_below(64);
	default:
		return 4096;
	}
}

static size_t pick_limit(enum pattern pat, size_t len, int full)
{
	size_t big = 2 * len + 16; /* more than any delta: 3 bytes per 2 page bytes */
	if (pat == P_TINY)
		return rnd_below(8);
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(big + 1);
	case 1:
		/* Around the size the delta needs, where the rule decides. */
		return full > 2 ? (size_t)full - 2 + rnd_below(5) : rnd_below(6);
	default:
		return big;
	}
}

/* n pairs of one pattern; buffers are offset so any alignment is seen. */
static void round_trips(enum pattern pat, int count, uint64_t seed)
{
	size_t cap = 80000;
	uint8_t *ob = xalloc(cap + 64), *nb = xalloc(cap + 64), *page = xalloc(cap);
	uint8_t *ref = xalloc(2 * cap + 16), *got = xalloc(2 * cap + 16);
	rng_state = seed;
	for (int t = 0; t < count; t++) {
		size_t len = pick_len(pat);
		uint8_t *o = ob + rnd_below(64), *n = nb + rnd_below(64);
		make_change(pat, o, n, len);
		int full = xbz_encode_with(XBZ_SCALAR_REF, o, n, len, ref, 2 * len + 16);
		REQUIRE(full >= 0, "reference overflowed a big limit");
		size_t limit = pick_limit(pat, len, full);
		int want = encode_checked(XBZ_SCALAR_REF, o, n, len, limit, ref);
		/* A limit that is enough for the delta either gives it or fails. */
		REQUIRE(want == -1 || want == full, "limit %zu gave %d, not %d", limit, want, full);
		for (int k = 1; k < XBZ_IMPL_COUNT; k++) {
			if (!xbz_impl_available((enum xbz_impl)k))
				continue;
			int r = encode_checked((enum xbz_impl)k, o, n, len, limit, got);
			REQUIRE(r == want, "pattern %d pair %d len %zu limit %zu: %s %d ref %d",
				pat, t, len, limit, xbz_impl_name((enum xbz_impl)k), r, want);
			if (r > 0)
				REQUIRE(memcmp(got, ref, (size_t)r) == 0, "%s differs",
					xbz_impl_name((enum xbz_impl)k));
		}
		if (want < 0)
			continue;
		memcpy(page, o, len);
		const char *why = NULL;
		REQUIRE(xbz_decode(page, len, ref, (size_t)want, &why) == 0, "decode: %s", why);
		REQUIRE(memcmp(page, n, len) == 0, "decode gave the wrong page");
	}
	free(ob);
	free(nb);
	free(page);
	free(ref);
	free(got);
}

/* Pages around the encoders' internal sizes: the 64-byte mask words, the
 * 256-byte blocks skipped whole, and the 16384-byte switch between the
 * bitmask walk and the scanners. Every pattern, every length, and limits
 * both near the delta's size and arbitrary; every implementation against
 * the reference. */
START_TEST(test_round_trip_edges)
{
	static const size_t lens[] = {1,    31,	   32,	  33,	 63,	64,    65,
				      127,  128,   129,	  255,	 256,	257,   4095,
				      4097, 16320, 16383, 16384, 16385, 16447, 16448};
	size_t cap = 16448;
	uint8_t *o = xalloc(cap), *n = xalloc(cap), *ref = xalloc(2 * cap + 16),
		*got = xalloc(2 * cap + 16);
	rng_state = 0x65646765ULL;
	for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
		size_t len = lens[li];
		for (int t = 0; t < 40; t++) {
			enum pattern pat = (enum pattern)(t % P_COUNT);
			make_change(pat, o, n, len);
			if (t % 5 == 4) /* a run ending at the last byte */
				n[len - 1] = other(o[len - 1]);
			int full = xbz_encode_with(XBZ_SCALAR_REF, o, n, len, ref, 2 * len + 16);
			REQUIRE(full >= 0, "reference overflowed a big limit");
			size_t limit = pick_limit(pat, len, full);
			int want = encode_checked(XBZ_SCALAR_REF, o, n, len, limit, ref);
			for (int k = 1; k < XBZ_IMPL_COUNT; k++) {
				if (!xbz_impl_available((enum xbz_impl)k))
					continue;
				int r = encode_checked((enum xbz_impl)k, o, n, len, limit, got);
				REQUIRE(r == want, "len %zu pattern %d limit %zu: %s %d ref %d",
					len, pat, limit, xbz_impl_name((enum xbz_impl)k), r, want);
				if (r > 0)
					REQUIRE(memcmp(got, ref, (size_t)r) == 0, "%s differs",
						xbz_impl_name((enum xbz_impl)k));
			}
		}
	}
	free(o);
	free(n);
	free(ref);
	free(got);
}
END_TEST

/* Every implementation against the reference on one pair, at limits around
 * the delta's size (where the overflow rule decides) and at a big one. */
static void agree_near_limit(const uint8_t *o, const uint8_t *n, size_t len, const char *what)
{
	uint8_t *ref = xalloc(2 * len + 16), *got = xalloc(2 * len + 16);
	int full = xbz_encode_with(XBZ_SCALAR_REF, o, n, len, ref, 2 * len + 16);
	REQUIRE(full >= 0, "reference overflowed a big limit");
	for (int dl = -3; dl <= 4; dl++) {
		size_t limit = dl == 4 ? 2 * len + 16 : (size_t)(full + dl < 0 ? 0 : full + dl);
		int want = encode_checked(XBZ_SCALAR_REF, o, n, len, limit, ref);
		for (int k = 1; k < XBZ_IMPL_COUNT; k++) {
			if (!xbz_impl_available((enum xbz_impl)k))
				continue;
			int r = encode_checked((enum xbz_impl)k, o, n, len, limit, got);
			REQUIRE(r == want, "%s, len %zu, limit %zu: %s %d, reference %d", what, len,
				limit, xbz_impl_name((enum xbz_impl)k), r, want);
			if (r > 0)
				REQUIRE(memcmp(got, ref, (size_t)r) == 0, "%s, len %zu: %s differs",
					what, len, xbz_impl_name((enum xbz_impl)k));
		}
	}
	free(ref);
	free(got);
}

/* Bytes [a, b) of n changed (clipped to the page). */
static void change_span(const uint8_t *o, uint8_t *n, size_t len, size_t a, size_t b)
{
	for (size_t i = a; i < b && i < len; i++)
		n[i] = (uint8_t)~o[i];
}

/* Shapes the AVX-512BW encoder decides on: which 256-byte blocks and
 * 64-byte lines differ, a page whose first lines are identical but later
 * ones differ (or only its last byte, or only its partial last line), runs
 * ending or starting on a line or block edge or crossing one, every byte
 * changed (taken as one run without the walk) and every byte but one. At
 * lengths with whole blocks, extra lines and a partial line. */
START_TEST(test_round_trip_shapes)
{
	static const size_t lens[] = {64,	 200,  256,   300,  1000, 4096, 4096 + 3 * 64,
				      4096 + 17, 8192, 16320, 16383};
	size_t cap = 16383;
	uint8_t *o = xalloc(cap), *n = xalloc(cap);
	rng_state = 0x73686170ULL;
	for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
		size_t len = lens[li];
		for (size_t i = 0; i < len; i++)
			o[i] = (uint8_t)rnd();
		/* One byte at each edge, and runs across and up to them. */
		static const size_t edges[] = {0,    1,	   63,	 64,   127, 128, 255,
					       256,  257,  511,	 512,  767, 768, 1023,
					       1024, 2047, 4031, 4032, 4095};
		for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++) {
			size_t at = edges[e];
			if (at >= len)
				continue;
			memcpy(n, o, len);
			change_span(o, n, len, at, at + 1);
			agree_near_limit(o, n, len, "one byte at an edge");
			memcpy(n, o, len);
			change_span(o, n, len, at > 5 ? at - 5 : 0, at + 5);
			agree_near_limit(o, n, len, "a run across an edge");
			memcpy(n, o, len);
			change_span(o, n, len, at > 64 ? at - 64 : 0, at);
			agree_near_limit(o, n, len, "a run up to an edge");
			memcpy(n, o, len);
			change_span(o, n, len, at, at + 300);
			agree_near_limit(o, n, len, "a run from an edge over a block");
		}
		/* First lines identical, then changes from a random later line on. */
		for (int t = 0; t < 8; t++) {
			memcpy(n, o, len);
			size_t from = len > 256 ? 256 + rnd_below(len - 256) : rnd_below(len);
			for (size_t i = from; i < len; i += 1 + rnd_below(97))
				n[i] = other(o[i]);
			agree_near_limit(o, n, len, "first lines identical");
		}
		memcpy(n, o, len);
		n[len - 1] = other(o[len - 1]);
		agree_near_limit(o, n, len, "only the last byte");
		memcpy(n, o, len);
		change_span(o, n, len, len / 64 * 64, len);
		agree_near_limit(o, n, len, "only the last partial line");
		/* Every byte, then every byte but one. */
		memcpy(n, o, len);
		change_span(o, n, len, 0, len);
		agree_near_limit(o, n, len, "every byte");
		static const size_t keep[] = {0, 1, 63, 64, 255, 256, 4095};
		for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
			if (keep[k] >= len)
				continue;
			n[keep[k]] = o[keep[k]];
			agree_near_limit(o, n, len, "every byte but one");
			n[keep[k]] = (uint8_t)~o[keep[k]];
		}
		n[len - 1] = o[len - 1];
		agree_near_limit(o, n, len, "every byte but the last");
		/* Identical first lines, every byte changed after them. */
		static const size_t from[] = {64, 256, 512, 1024};
		for (size_t f = 0; f < sizeof from / sizeof from[0] && from[f] < len; f++) {
			memcpy(n, o, len);
			change_span(o, n, len, from[f], len);
			agree_near_limit(o, n, len, "every byte after identical lines");
		}
		/* Changes in every other block, and every other line. */
		memcpy(n, o, len);
		for (size_t i = 0; i < len; i += 512)
			change_span(o, n, len, i + 100, i + 101);
		agree_near_limit(o, n, len, "every other block");
		memcpy(n, o, len);
		for (size_t i = 0; i < len; i += 128)
			change_span(o, n, len, i + 60, i + 62);
		agree_near_limit(o, n, len, "every other line");
	}
	free(o);
	free(n);
}
END_TEST

/* An encoder that keeps state on its stack between the pages of a call
 * must not take any from the call before: each implementation encodes a
 * page whose line 3 ends in a changed byte (a run carried into line 4),
 * then at once one whose first block is identical and whose line 4 starts
 * with a change, and must give the reference's delta for the second. */
START_TEST(test_no_stale_carry)
{
	struct pair a = pair_new(4096), b = pair_new(4096);
	for (size_t i = 192; i < 256; i++)
		a.n[i] = 1;
	b.n[256] = 1;
	uint8_t want[16], got[16];
	int w = xbz_encode_with(XBZ_SCALAR_REF, b.o, b.n, 4096, want, sizeof want);
	ck_assert_int_eq(w, 4); /* zero run 256: 80 02; non-zero run 1: 01; 01 */
	for (int k = 1; k < XBZ_IMPL_COUNT; k++) {
		if (!xbz_impl_available((enum xbz_impl)k))
			continue;
		uint8_t junk[4096];
		for (int rep = 0; rep < 3; rep++) {
			xbz_encode_with((enum xbz_impl)k, a.o, a.n, 4096, junk, sizeof junk);
			int r = xbz_encode_with((enum xbz_impl)k, b.o, b.n, 4096, got, sizeof got);
			ck_assert_msg(r == w && memcmp(got, want, (size_t)w) == 0,
				      "%s: %d bytes after a carried run, reference %d",
				      xbz_impl_name((enum xbz_impl)k), r, w);
		}
	}
	pair_free(a);
	pair_free(b);
}
END_TEST

/* 100,000 pairs: 12,500 per pattern (fewer for the long-page one). */
START_TEST(test_round_trip)
{
	int count = _i == P_LEB ? 2500 : _i == P_TINY ? 22500 : 12500;
	round_trips((enum pattern)_i, count, 0x6d6967736976ULL + (uint64_t)_i);
}
END_TEST

/* --- the decoder ----------------------------------------------------------------- */

struct bad {
	const char *what;
	size_t page_len;
	size_t n;
	uint8_t d[16];
};

static const struct bad bad[] = {
    {"truncated zero-run length", 16, 1, {0x80}},
    {"truncated non-zero-run length", 16, 2, {0x00, 0x80}},
    {"zero run with nothing after", 16, 1, {0x05}},
    {"non-zero run of length 0", 16, 3, {0x00, 0x00, 0xaa}},
    {"0-long zero run not first", 16, 6, {0x00, 0x01, 0xaa, 0x00, 0x01, 0xbb}},
    {"zero run past the page end", 16, 3, {0x11, 0x01, 0xaa}},
    {"zero run to the end, then a non-zero run", 16, 3, {0x10, 0x01, 0xaa}},
    {"non-zero run past the page end", 16, 4, {0x0f, 0x02, 0xaa, 0xbb}},
    {"non-zero run bytes past the delta end", 16, 4, {0x00, 0x04, 0xaa, 0xbb}},
    {"run longer than delta and page", 4, 3, {0x00, 0x7f, 0xaa}},
    {"cumulative runs past the end", 8, 9, {0x00, 0x04, 1, 2, 3, 4, 0x04, 0x01, 0xaa}},
    {"LEB128 overflowing 64 bits",
     1 << 20,
     12,
     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x01, 0xaa}},
    {"ten continuation bytes",
     16,
     12,
     {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
    {"LEB128 larger than the page", 16, 4, {0x80, 0x01, 0x01, 0xaa}},
    {"redundant zero group (zero run)", 16, 4, {0x80, 0x00, 0x01, 0xaa}},
    {"redundant zero group (non-zero run)", 16, 4, {0x00, 0x81, 0x00, 0xaa}},
    {"trailing lone zero run", 16, 4, {0x00, 0x01, 0xaa, 0x03}},
    {"trailing truncated length", 16, 5, {0x00, 0x01, 0xaa, 0x01, 0x80}},
    {"trailing triple missing its byte", 16, 5, {0x00, 0x01, 0xaa, 0x01, 0x01}},
    {"any run on a 0-byte page", 0, 3, {0x00, 0x01, 0xaa}},
    {"a 0-long second zero run after a valid triple", 16, 6, {0x02, 0x01, 0xaa, 0x00, 0x01, 0xbb}},
};

/* Each bad delta is copied into a buffer of exactly its size and applied to
 * a page of exactly its size, so ASan sees any stray access; the page must
 * come back untouched. */
START_TEST(test_decode_rejects)
{
	const struct bad *b = &bad[_i];
	uint8_t *delta = xalloc(b->n), *page = xalloc(b->page_len), *copy = xalloc(b->page_len);
	memcpy(delta, b->d, b->n);
	for (size_t i = 0; i < b->page_len; i++)
		page[i] = copy[i] = (uint8_t)(i * 13 + 1);
	const char *why = NULL;
	ck_assert_msg(xbz_decode(page, b->page_len, delta, b->n, &why) == -1, "accepted: %s",
		      b->what);
	ck_assert_msg(why != NULL, "no reason: %s", b->what);
	ck_assert_msg(memcmp(page, copy, b->page_len) == 0, "page changed: %s", b->what);
	ck_assert_int_eq(xbz_decode(page, b->page_len, delta, b->n, NULL), -1);
	free(delta);
	free(page);
	free(copy);
}
END_TEST

START_TEST(test_decode_accepts)
{
	uint8_t page[16] = {0}, want[16] = {0};
	const char *why = NULL;
	/* An empty delta: the page is unchanged. */
	ck_assert_int_eq(xbz_decode(page, 16, NULL, 0, &why), 0);
	ck_assert(memcmp(page, want, 16) == 0);
	/* Runs up to the very end, and a first zero run of 0. */
	static const uint8_t d1[] = {0x00, 0x01, 0xaa, 0x0e, 0x01, 0xbb};
	ck_assert_int_eq(xbz_decode(page, 16, d1, sizeof d1, &why), 0);
	want[0] = 0xaa;
	want[15] = 0xbb;
	ck_assert(memcmp(page, want, 16) == 0);
	/* Non-maximal runs (bytes equal to the old ones) are still valid. */
	static const uint8_t d2[] = {0x01, 0x02, 0x00, 0xcc, 0x01, 0x01, 0xdd};
	ck_assert_int_eq(xbz_decode(page, 16, d2, sizeof d2, &why), 0);
	want[2] = 0xcc;
	want[4] = 0xdd;
	ck_assert(memcmp(page, want, 16) == 0);
	/* A whole-page run. */
	uint8_t d3[2 + 16] = {0x00, 0x10};
	memset(d3 + 2, 0x77, 16);
	ck_assert_int_eq(xbz_decode(page, 16, d3, sizeof d3, &why), 0);
	memset(want, 0x77, 16);
	ck_assert(memcmp(page, want, 16) == 0);
}
END_TEST

/* --- implementation selection -------------------------------------------------------- */

static int cpu_expected(enum xbz_impl k)
{
#if defined(__x86_64__) && !defined(ENC_NO_SIMD) /* as in the encoders */
	__builtin_cpu_init();
	if (k == XBZ_AVX2)
		return __builtin_cpu_supports("avx2") != 0;
	if (k == XBZ_AVX512BW)
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
	return 1;
#else
	return k == XBZ_SCALAR_REF || k == XBZ_SCALAR_WORD;
#endif
}

/* What the CPU lacks is reported unavailable and never run. */
START_TEST(test_impl_availability)
{
	static const uint8_t o[8], n[8] = {1};
	for (int k = 0; k < XBZ_IMPL_COUNT; k++) {
		ck_assert_int_eq(xbz_impl_available((enum xbz_impl)k),
				 cpu_expected((enum xbz_impl)k));
		ck_assert_str_ne(xbz_impl_name((enum xbz_impl)k), "?");
		uint8_t out[16];
		memset(out, CANARY, sizeof out);
		int r = xbz_encode_with((enum xbz_impl)k, o, n, 8, out, sizeof out);
		if (xbz_impl_available((enum xbz_impl)k)) {
			ck_assert_int_eq(r, 3);
		} else {
			ck_assert_int_eq(r, XBZ_UNAVAILABLE);
			ck_assert_int_eq(out[0], CANARY);
		}
	}
	ck_assert_int_eq(xbz_impl_available(XBZ_IMPL_COUNT), 0);
	ck_assert_int_eq(xbz_impl_available((enum xbz_impl)(-1)), 0);
	ck_assert_str_eq(xbz_impl_name(XBZ_IMPL_COUNT), "?");
	uint8_t out[16];
	ck_assert_int_eq(xbz_encode_with(XBZ_IMPL_COUNT, o, n, 8, out, 16), XBZ_UNAVAILABLE);
	/* The default is the best available one. */
	enum xbz_impl sel = xbz_impl_selected();
	ck_assert(xbz_impl_available(sel));
	for (int k = sel + 1; k < XBZ_IMPL_COUNT; k++)
		ck_assert(!xbz_impl_available((enum xbz_impl)k));
	ck_assert_int_eq(xbz_encode(o, n, 8, out, 16), 3);
}
END_TEST

Suite *xbzrle_suite(void)
{
	Suite *s = suite_create("xbzrle");
	TCase *tc = tcase_create("vectors");
	tcase_add_test(tc, test_vec_first_byte);
	tcase_add_test(tc, test_vec_calloc_loop);
	tcase_add_test(tc, test_vec_last_byte);
	tcase_add_test(tc, test_vec_run_127);
	tcase_add_test(tc, test_vec_run_128);
	tcase_add_test(tc, test_vec_run_16383);
	tcase_add_test(tc, test_vec_run_16384);
	tcase_add_test(tc, test_vec_identical);
	tcase_add_test(tc, test_vec_full_rewrite);
	tcase_add_test(tc, test_overflow_order);
	tcase_add_test(tc, test_impl_availability);
	suite_add_tcase(s, tc);

	tc = tcase_create("round-trip");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_round_trip, 0, P_COUNT);
	tcase_add_test(tc, test_round_trip_edges);
	tcase_add_test(tc, test_round_trip_shapes);
	tcase_add_test(tc, test_no_stale_carry);
	suite_add_tcase(s, tc);

	tc = tcase_create("decoder");
	tcase_add_loop_test(tc, test_decode_rejects, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_decode_accepts);
	suite_add_tcase(s, tc);
	return s;
}
