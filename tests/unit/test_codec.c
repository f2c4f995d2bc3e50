/*
 * Unit tests of the page-encoder interface (encoders/codec.h): the table,
 * the cost model, round trips through every codec on pages of every content
 * class (sim/content.h) at the edges of its levels, and malformed input
 * (truncated, corrupt, too long) rejected with a message.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "content.h"

#define PS    4096
#define NPAGE 16

/* n pages of class c (version v), each its own allocation. */
static uint8_t **make_pages(enum content_class c, size_t n, uint32_t v)
{
	uint8_t **p = calloc(n, sizeof *p);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++) {
		p[i] = malloc(PS);
		ck_assert_ptr_nonnull(p[i]);
		content_fill(c, 42, i, v, p[i], PS);
	}
	return p;
}

static void free_pages(uint8_t **p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i]);
	free(p);
}

START_TEST(test_table)
{
	ck_assert_uint_ge(codec_count(), 1);
	ck_assert_ptr_null(codec_at(codec_count()));
	ck_assert_ptr_null(codec_find("no-such-codec"));
	ck_assert_ptr_null(codec_find(NULL));
	for (size_t i = 0; i < codec_count(); i++) {
		const struct codec *c = codec_at(i);
		ck_assert_ptr_eq(codec_find(c->name), c);
		ck_assert_int_le(c->level_min, c->level_default);
		ck_assert_int_le(c->level_default, c->level_max);
		ck_assert(c->level_param || (c->level_min == 0 && c->level_max == 0));
		ck_assert(c->open && c->close && c->bound && c->encode && c->decode);
		ck_assert(c->cost.ns_per_byte > 0 && c->cost.level_factor > 0);
	}
	ck_assert_str_eq(codec_at(0)->name, "none");
}
END_TEST

START_TEST(test_cost)
{
	struct codec c = {.level_min = 1,
			  .level_max = 9,
			  .cost = {.ns_per_call = 100, .ns_per_byte = 2, .level_factor = 1.5}};
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 1, 1000), 2100, 1e-9);
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 3, 1000), 100 + 2 * 2.25 * 1000, 1e-9);
	/* Out of range: the nearest end. */
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 0, 1000), 2100, 1e-9);
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 99, 0),
				codec_encode_cost(&c, NULL, 9, 0), 1e-9);
	struct codec_cost user = {.ns_per_call = 0, .ns_per_byte = 1, .level_factor = 2};
	ck_assert_double_eq_tol(codec_encode_cost(&c, &user, 2, 10), 20, 1e-9);
}
END_TEST

/* Encodes n pages of class cls (version v) with c's state enc: the bytes
 * written into *out (a bound-sized buffer the caller frees). */
static long encode_pages(const struct codec *c, void *enc, enum content_class cls, uint32_t v,
			 uint8_t **out)
{
	err e = {{0}};
	size_t cap = c->bound(NPAGE, PS);
	*out = malloc(cap);
	ck_assert_ptr_nonnull(*out);
	uint8_t **pages = make_pages(cls, NPAGE, v);
	long r = c->encode(enc, NULL, (const uint8_t *const *)pages, NPAGE, PS, *out, cap, &e);
	ck_assert_msg(r >= 0, "%s %s: encode %ld (%s)", c->name, content_name(cls), r, e.msg);
	ck_assert_uint_le((size_t)r, cap);
	free_pages(pages, NPAGE);
	return r;
}

/* Packet codec c at level: pages of class cls round-trip through one state
 * pair, three packets in a row (a codec keeping history across packets must
 * keep the two sides in step). */
static void round_trip(const struct codec *c, int level, enum content_class cls)
{
	err e = {{0}};
	void *enc, *dec;
	ck_assert_msg(c->open(&enc, level, PS, &e) == 0, "%s: %s", c->name, e.msg);
	ck_assert_msg(c->open(&dec, level, PS, &e) == 0, "%s: %s", c->name, e.msg);
	uint8_t **got = make_pages(CONTENT_ZERO, NPAGE, 0);
	for (uint32_t v = 0; v < 3; v++) {
		uint8_t *out;
		long r = encode_pages(c, enc, cls, v, &out);
		int d = c->decode(dec, got, NPAGE, PS, out, (size_t)r, &e);
		ck_assert_msg(d == 0, "%s level %d %s: decode (%s)", c->name, level,
			      content_name(cls), e.msg);
		uint8_t **want = make_pages(cls, NPAGE, v);
		for (size_t i = 0; i < NPAGE; i++)
			ck_assert_msg(memcmp(got[i], want[i], PS) == 0, "%s %s: page %zu", c->name,
				      content_name(cls), i);
		free_pages(want, NPAGE);
		free(out);
	}
	free_pages(got, NPAGE);
	c->close(enc);
	c->close(dec);
}

static const struct codec *packet_codec(int i)
{
	const struct codec *c = codec_at((size_t)i);
	return c && c->kind == CODEC_PACKET ? c : NULL;
}

/* Every packet codec, every content class (random: output larger than the
 * input, within bound), at its lowest, default and highest level. */
START_TEST(test_packet_round_trips)
{
	const struct codec *c = packet_codec(_i);
	if (!c)
		return;
	for (int cls = 0; cls < CONTENT_CLASSES; cls++) {
		round_trip(c, c->level_min, (enum content_class)cls);
		round_trip(c, c->level_default, (enum content_class)cls);
		round_trip(c, c->level_max, (enum content_class)cls);
	}
}
END_TEST

/* Levels outside the codec's range are refused with a message. */
START_TEST(test_levels)
{
	const struct codec *c = codec_at((size_t)_i);
	void *st = NULL;
	err e = {{0}};
	ck_assert_int_eq(c->open(&st, c->level_default, PS, &e), 0);
	c->close(st);
	if (!c->level_param)
		return;
	ck_assert_int_eq(c->open(&st, c->level_max + 1, PS, &e), CODEC_ERROR);
	ck_assert_msg(strstr(e.msg, c->name) != NULL, "%s", e.msg);
	ck_assert_int_eq(c->open(&st, c->level_min - 1, PS, &e), CODEC_ERROR);
}
END_TEST

/* Decodes in[0..len) on a fresh state into pages holding a marker: either
 * CODEC_ERROR with a message and the pages untouched, or (allowed only when
 * may_pass) 0 with the pages equal to want. */
static void expect_reject(const struct codec *c, const uint8_t *in, size_t len, uint8_t **want,
			  int may_pass, const char *what)
{
	err e = {{0}};
	void *dec;
	ck_assert_int_eq(c->open(&dec, c->level_default, PS, &e), 0);
	uint8_t **got = make_pages(CONTENT_ZERO, NPAGE, 0);
	for (size_t i = 0; i < NPAGE; i++)
		memset(got[i], 0xa5, PS);
	/* An exact-size copy, so ASan sees a read past the input. */
	uint8_t *copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, in, len);
	e.msg[0] = '\0';
	int d = c->decode(dec, got, NPAGE, PS, copy, len, &e);
	if (d == 0) {
		ck_assert_msg(may_pass, "%s: %s accepted", c->name, what);
		for (size_t i = 0; i < NPAGE; i++)
			ck_assert_msg(memcmp(got[i], want[i], PS) == 0, "%s: %s: page %zu wrong",
				      c->name, what, i);
	} else {
		ck_assert_msg(d == CODEC_ERROR, "%s: %s: %d", c->name, what, d);
		ck_assert_msg(e.msg[0] != '\0', "%s: %s: no message", c->name, what);
		static uint8_t marker[PS];
		memset(marker, 0xa5, PS);
		for (size_t i = 0; i < NPAGE; i++)
			ck_assert_msg(memcmp(got[i], marker, PS) == 0, "%s: %s: page %zu written",
				      c->name, what, i);
	}
	free(copy);
	free_pages(got, NPAGE);
	c->close(dec);
}

/* A packet cut short is rejected: any cut that loses page bytes. Cutting
 * only the end of a flush marker may go unnoticed (the packet's pages are
 * whole; the next packet would fail), and then the pages must be right. */
START_TEST(test_packet_truncated)
{
	const struct codec *c = packet_codec(_i);
	if (!c)
		return;
	void *enc;
	err e = {{0}};
	ck_assert_int_eq(c->open(&enc, c->level_default, PS, &e), 0);
	for (int cls = 0; cls < CONTENT_CLASSES; cls++) {
		uint8_t *out;
		long r = encode_pages(c, enc, (enum content_class)cls, 0, &out);
		uint8_t **want = make_pages((enum content_class)cls, NPAGE, 0);
		size_t cuts[] = {0, 1, (size_t)r / 2, (size_t)r - 8};
		for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++)
			if (cuts[k] < (size_t)r)
				expect_reject(c, out, cuts[k], want, 0, "truncated packet");
		for (size_t cut = 1; cut <= 4 && cut < (size_t)r; cut++)
			expect_reject(c, out, (size_t)r - cut, want, 1, "packet without its end");
		/* More bytes than the pages: the channel's next packet appended. */
		uint8_t *next;
		long r2 = encode_pages(c, enc, (enum content_class)cls, 1, &next);
		uint8_t *two = malloc((size_t)(r + r2));
		ck_assert_ptr_nonnull(two);
		memcpy(two, out, (size_t)r);
		memcpy(two + r, next, (size_t)r2);
		expect_reject(c, two, (size_t)(r + r2), want, 0, "two packets as one");
		free(two);
		free(next);
		free_pages(want, NPAGE);
		free(out);
		c->close(enc);
		ck_assert_int_eq(c->open(&enc, c->level_default, PS, &e), 0);
	}
	c->close(enc);
}
END_TEST

/* Flipped bytes: rejected, or (the library cannot always tell) decoded to
 * something, never a crash or a read outside the input. */
START_TEST(test_packet_corrupt)
{
	const struct codec *c = packet_codec(_i);
	if (!c)
		return;
	void *enc;
	err e = {{0}};
	ck_assert_int_eq(c->open(&enc, c->level_default, PS, &e), 0);
	uint8_t *out;
	long r = encode_pages(c, enc, CONTENT_HEAP, 0, &out);
	c->close(enc);
	for (long at = 0; at < r; at += r / 61 + 1) {
		void *dec;
		ck_assert_int_eq(c->open(&dec, c->level_default, PS, &e), 0);
		uint8_t **got = make_pages(CONTENT_ZERO, NPAGE, 0);
		out[at] ^= 0x5a;
		e.msg[0] = '\0';
		int d = c->decode(dec, got, NPAGE, PS, out, (size_t)r, &e);
		ck_assert(d == 0 || (d == CODEC_ERROR && e.msg[0]));
		out[at] ^= 0x5a;
		free_pages(got, NPAGE);
		c->close(dec);
	}
	free(out);
}
END_TEST

/* zlib and zstd keep one stream per channel, as QEMU does: a channel's
 * second packet refers to the first and cannot be decoded without it. */
START_TEST(test_history_kept)
{
	const char *names[] = {"zlib", "zstd"};
	const struct codec *c = codec_find(names[_i]);
	ck_assert_ptr_nonnull(c);
	void *enc;
	err e = {{0}};
	ck_assert_int_eq(c->open(&enc, c->level_default, PS, &e), 0);
	uint8_t *first, *second;
	encode_pages(c, enc, CONTENT_TEXT, 0, &first);
	long r = encode_pages(c, enc, CONTENT_TEXT, 0, &second);
	uint8_t **want = make_pages(CONTENT_TEXT, NPAGE, 0);
	expect_reject(c, second, (size_t)r, want, 0, "second packet on a fresh stream");
	free_pages(want, NPAGE);
	free(first);
	free(second);
	c->close(enc);
}
END_TEST

START_TEST(test_none_round_trip)
{
	round_trip(codec_find("none"), 0, (enum content_class)_i);
}
END_TEST

START_TEST(test_none_edges)
{
	const struct codec *none = codec_find("none");
	err e = {{0}};
	uint8_t **pages = make_pages(CONTENT_TEXT, 2, 0);
	uint8_t out[2 * PS];
	ck_assert_uint_eq(none->bound(2, PS), 2 * PS);
	ck_assert_int_eq(
	    none->encode(NULL, NULL, (const uint8_t *const *)pages, 2, PS, out, 2 * PS - 1, &e),
	    CODEC_DECLINED);
	ck_assert_int_eq(
	    none->encode(NULL, NULL, (const uint8_t *const *)pages, 2, PS, out, 2 * PS, &e),
	    2 * PS);
	e.msg[0] = '\0';
	ck_assert_int_eq(none->decode(NULL, pages, 2, PS, out, 2 * PS - 1, &e), CODEC_ERROR);
	ck_assert_str_ne(e.msg, "");
	free_pages(pages, 2);
}
END_TEST

/* XBZRLE through the interface: a page against its previous version, for
 * every class, round-trips or is declined (a rewrite whose delta would be
 * longer than the page); a page with a few bytes changed always encodes. */
START_TEST(test_xbzrle_codec)
{
	const struct codec *c = codec_find("xbzrle");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->kind, CODEC_DELTA);
	err e = {{0}};
	void *st;
	ck_assert_int_eq(c->open(&st, 0, PS, &e), 0);
	size_t cap = c->bound(1, PS);
	uint8_t *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	for (int cls = 0; cls < CONTENT_CLASSES; cls++) {
		uint8_t **old = make_pages((enum content_class)cls, 1, 0);
		uint8_t **now = make_pages((enum content_class)cls, 1, 1);
		for (int small = 0; small < 2; small++) {
			if (small) {
				memcpy(now[0], old[0], PS);
				now[0][100] ^= 1;
				now[0][3000] ^= 0xff;
			}
			long r = c->encode(st, (const uint8_t *const *)old,
					   (const uint8_t *const *)now, 1, PS, out, cap, &e);
			if (r == CODEC_DECLINED && !small)
				continue;
			ck_assert_msg(r >= 0, "%s: %ld", content_name(cls), r);
			ck_assert_uint_le((size_t)r, cap);
			uint8_t **got = make_pages((enum content_class)cls, 1, 0);
			ck_assert_int_eq(c->decode(st, got, 1, PS, out, (size_t)r, &e), 0);
			ck_assert(memcmp(got[0], now[0], PS) == 0);
			if (r > 0) { /* a delta cut short: rejected, page untouched */
				ck_assert_int_eq(c->decode(st, got, 1, PS, out, (size_t)r - 1, &e),
						 CODEC_ERROR);
				ck_assert_str_ne(e.msg, "");
				ck_assert(memcmp(got[0], now[0], PS) == 0);
			}
			free_pages(got, 1);
		}
		free_pages(old, 1);
		free_pages(now, 1);
	}
	/* One page a call, and never without the previous bytes. */
	uint8_t **two = make_pages(CONTENT_TEXT, 2, 0);
	ck_assert_int_eq(c->encode(st, (const uint8_t *const *)two, (const uint8_t *const *)two, 2,
				   PS, out, cap, &e),
			 CODEC_ERROR);
	ck_assert_int_eq(c->encode(st, NULL, (const uint8_t *const *)two, 1, PS, out, cap, &e),
			 CODEC_ERROR);
	ck_assert_int_eq(c->decode(st, two, 2, PS, out, 0, &e), CODEC_ERROR);
	free_pages(two, 2);
	free(out);
	c->close(st);
}
END_TEST

/* The zero test through the interface: zero pages encode to nothing and
 * decode to zeros; any other page is declined; bytes are malformed. */
START_TEST(test_zero_codec)
{
	const struct codec *c = codec_find("zero");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->kind, CODEC_TEST);
	err e = {{0}};
	void *st;
	ck_assert_int_eq(c->open(&st, 0, PS, &e), 0);
	uint8_t byte = 0;
	for (int cls = 0; cls < CONTENT_CLASSES; cls++) {
		uint8_t **pages = make_pages((enum content_class)cls, NPAGE, 0);
		long r =
		    c->encode(st, NULL, (const uint8_t *const *)pages, NPAGE, PS, &byte, 0, &e);
		ck_assert_int_eq(r, cls == CONTENT_ZERO ? 0 : CODEC_DECLINED);
		ck_assert_int_eq(c->decode(st, pages, NPAGE, PS, &byte, 1, &e), CODEC_ERROR);
		ck_assert_str_ne(e.msg, "");
		ck_assert_int_eq(c->decode(st, pages, NPAGE, PS, NULL, 0, &e), 0);
		static const uint8_t zeros[PS];
		for (size_t i = 0; i < NPAGE; i++)
			ck_assert(memcmp(pages[i], zeros, PS) == 0);
		free_pages(pages, NPAGE);
	}
	c->close(st);
}
END_TEST

Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("codec");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_cost);
	tcase_add_loop_test(tc, test_none_round_trip, 0, CONTENT_CLASSES);
	tcase_add_loop_test(tc, test_packet_round_trips, 0, (int)codec_count());
	tcase_add_loop_test(tc, test_levels, 0, (int)codec_count());
	tcase_add_loop_test(tc, test_packet_truncated, 0, (int)codec_count());
	tcase_add_loop_test(tc, test_packet_corrupt, 0, (int)codec_count());
	tcase_add_loop_test(tc, test_history_kept, 0, 2);
	tcase_add_test(tc, test_xbzrle_codec);
	tcase_add_test(tc, test_zero_codec);
	tcase_add_test(tc, test_none_edges);
	suite_add_tcase(s, tc);
	return s;
}
