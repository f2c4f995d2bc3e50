/*
 * fuzz_xbzrle_decode — libFuzzer target for the XBZRLE decoder and encoders
 * (encoders/xbzrle.h), built by tests/fuzz/fuzz.mk with ASan and UBSan.
 *
 * Input byte 0 picks the mode, bytes 1-2 a number n:
 *   even: the rest is a delta applied to a page of n % 4097 bytes. A
 *         rejected delta must leave the page untouched; an accepted one is
 *         re-encoded, and that delta must decode to the same page.
 *   odd:  the rest is two halves, old and a XOR mask (zero bytes = unchanged),
 *         encoded with limit n % (2 * len + 17) by every implementation,
 *         which must agree; a delta must decode old back into new.
 * Every buffer is malloc'ed to its exact size so ASan sees any stray byte.
 * A broken property calls __builtin_trap(), which libFuzzer reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xbzrle.h"

static uint8_t *dup(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	REQUIRE(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

/* Encodes o -> n with every implementation; the reference's result. */
static int encode_all(const uint8_t *o, const uint8_t *n, size_t len, size_t limit, uint8_t **out)
{
	uint8_t *ref = malloc(limit ? limit : 1), *got = malloc(limit ? limit : 1);
	REQUIRE(ref && got);
	int want = xbz_encode_with(XBZ_SCALAR_REF, o, n, len, ref, limit);
	for (int k = 1; k < XBZ_IMPL_COUNT; k++) {
		if (!xbz_impl_available((enum xbz_impl)k))
			continue;
		int r = xbz_encode_with((enum xbz_impl)k, o, n, len, got, limit);
		REQUIRE(r == want);
		REQUIRE(r <= 0 || memcmp(got, ref, (size_t)r) == 0);
	}
	free(got);
	*out = ref;
	return want;
}

/* The delta must turn o into n. */
static void check_decode(const uint8_t *o, const uint8_t *n, size_t len, const uint8_t *d, int dl)
{
	if (dl < 0)
		return;
	uint8_t *page = dup(o, len), *delta = dup(d, (size_t)dl);
	const char *why = NULL;
	REQUIRE(xbz_decode(page, len, delta, (size_t)dl, &why) == 0);
	REQUIRE(memcmp(page, n, len) == 0);
	free(page);
	free(delta);
}

static void fuzz_decode(size_t len, const uint8_t *d, size_t dl)
{
	uint8_t *page = malloc(len ? len : 1), *orig = malloc(len ? len : 1);
	uint8_t *delta = dup(d, dl);
	REQUIRE(page && orig);
	for (size_t i = 0; i < len; i++)
		page[i] = orig[i] = (uint8_t)(i * 7 + 3);
	const char *why = NULL;
	if (xbz_decode(page, len, delta, dl, &why) < 0) {
		REQUIRE(why != NULL);
		REQUIRE(len == 0 || memcmp(page, orig, len) == 0);
	} else {
		uint8_t *re;
		int r = encode_all(orig, page, len, 2 * len + 16, &re);
		REQUIRE(r >= 0);
		check_decode(orig, page, len, re, r);
		free(re);
	}
	free(page);
	free(orig);
	free(delta);
}

static void fuzz_round_trip(size_t n, const uint8_t *d, size_t dl)
{
	size_t len = dl / 2;
	uint8_t *o = dup(d, len), *nw = malloc(len ? len : 1);
	REQUIRE(nw);
	for (size_t i = 0; i < len; i++)
		nw[i] = o[i] ^ d[len + i];
	uint8_t *out;
	int r = encode_all(o, nw, len, n % (2 * len + 17), &out);
	check_decode(o, nw, len, out, r);
	free(out);
	free(o);
	free(nw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t n = (size_t)data[1] | (size_t)data[2] << 8;
	if (data[0] & 1)
		fuzz_round_trip(n, data + 3, size - 3);
	else
		fuzz_decode(n % 4097, data + 3, size - 3);
	return 0;
}
