/*
 * xbzrle_decode — the destination side of XBZRLE (format: xbzrle.h): applies
 * a delta onto the page the destination holds. The delta comes from the
 * wire, so every length is checked against both the delta and the page
 * before it is used, and the delta is walked twice, once to validate and
 * once to apply, so that a rejected delta leaves the page as it was.
 */
#include <string.h>

#include "xbzrle.h"

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

/* Reads the LEB128 length at delta[*pos], which must not exceed max (the
 * page length), and moves *pos past it. */
static int get_len(const uint8_t *delta, size_t delta_len, size_t *pos, size_t max, size_t *out,
		   const char **why)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t p = *pos;
	for (;;) {
		if (p == delta_len)
			return fail(why, "truncated LEB128 length");
		uint64_t g = delta[p] & 0x7f;
		int more = delta[p++] & 0x80;
		if (shift >= 64 || (shift > 0 && (g >> (64 - shift)) != 0))
			return fail(why, "over-long LEB128 length (more than 64 bits)");
		v |= g << shift;
		if (!more) {
			if (g == 0 && shift > 0)
				return fail(why, "over-long LEB128 length (redundant zero group)");
			break;
		}
		shift += 7;
	}
	if (v > max)
		return fail(why, "LEB128 run length larger than the page");
	*out = (size_t)v;
	*pos = p;
	return 0;
}

/* Checks the whole delta; also applies it when page is not NULL. */
static int walk(uint8_t *page, size_t len, const uint8_t *delta, size_t delta_len, const char **why)
{
	size_t pos = 0, d = 0, z, nz;
	while (pos < delta_len) {
		int first = pos == 0;
		if (get_len(delta, delta_len, &pos, len, &z, why) < 0)
			return -1;
		if (z == 0 && !first)
			return fail(why, "zero run of length 0 after the first triple");
		if (z > len - d)
			return fail(why, "zero run past the page end");
		d += z;
		if (pos == delta_len)
			return fail(why,
				    "trailing zero run without a non-zero run (incomplete triple)");
		if (get_len(delta, delta_len, &pos, len, &nz, why) < 0)
			return -1;
		if (nz == 0)
			return fail(why, "non-zero run of length 0");
		if (nz > len - d)
			return fail(why, "non-zero run past the page end");
		if (nz > delta_len - pos)
			return fail(why, "non-zero run bytes past the end of the delta");
		if (page)
			memcpy(page + d, delta + pos, nz);
		d += nz;
		pos += nz;
	}
	return 0;
}

int xbz_decode(uint8_t *page, size_t len, const uint8_t *delta, size_t delta_len, const char **why)
{
	if (delta_len == 0)
		return 0;
	if (!delta || (!page && len > 0))
		return fail(why, "NULL page or delta");
	if (walk(NULL, len, delta, delta_len, why) < 0)
		return -1;
	return walk(page, len, delta, delta_len, why);
}
