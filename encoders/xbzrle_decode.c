/*
 * xbzrle_decode — the destination side of XBZRLE (format: xbzrle.h): applies
 * a delta onto the page the destination holds. The delta comes from the
 * wire, so every length is checked against both the delta and the page
 * before it is used, and the delta is walked twice, once to validate and
 * once to apply, so that a rejected delta leaves the page as it was. The
 * second walk trusts what the first checked, so it only parses and copies;
 * most lengths fit one or two LEB128 bytes, and both walks take that path first
 * (the destination decodes every XBZRLE page the simulator sends).
 */
#include <string.h>

#include "xbzrle.h"

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

/* Reads a LEB128 length of more than one byte at delta[*pos], which must
 * not exceed max (the page length), and moves *pos past it. */
static int get_long_len(const uint8_t *delta, size_t delta_len, size_t *pos, size_t max,
			size_t *out, const char **why)
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

/* Reads the LEB128 length at delta[*pos] (checked as get_long_len does). */
static inline int get_len(const uint8_t *delta, size_t delta_len, size_t *pos, size_t max,
			  size_t *out, const char **why)
{
	size_t p = *pos;
	if (p < delta_len && delta[p] < 0x80 && delta[p] <= max) {
		*out = delta[p];
		*pos = p + 1;
		return 0;
	}
	/* Two bytes, the second non-zero (else it is a redundant group): zero
	 * runs of a sparse change are mostly 128 bytes or longer. */
	if (delta_len - p >= 2 && delta[p] >= 0x80 && delta[p + 1] - 1u < 0x7fu) {
		size_t v = (size_t)(delta[p] & 0x7f) | (size_t)delta[p + 1] << 7;
		if (v <= max) {
			*out = v;
			*pos = p + 2;
			return 0;
		}
	}
	return get_long_len(delta, delta_len, pos, max, out, why);
}

/* Checks the whole delta without touching the page, but asks for the
 * cache lines it will write: the runs of a sparse change are lines apart,
 * each a miss of its own, and prefetched here they overlap rather than
 * follow one another in apply(). */
static int validate(const uint8_t *page, size_t len, const uint8_t *delta, size_t delta_len,
		    const char **why)
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
		__builtin_prefetch(page + d, 1);
		d += nz;
		pos += nz;
	}
	return 0;
}

/* A length validate() has accepted. */
static inline size_t trusted_len(const uint8_t *delta, size_t *pos)
{
	size_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = delta[(*pos)++];
		v |= (size_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	return v;
}

/* Applies a delta validate() has accepted. */
static void apply(uint8_t *page, const uint8_t *delta, size_t delta_len)
{
	size_t pos = 0, d = 0;
	while (pos < delta_len) {
		d += trusted_len(delta, &pos);
		size_t nz = trusted_len(delta, &pos);
		if (nz <= 8) /* most runs of a sparse change: cheaper than a call */
			for (size_t i = 0; i < nz; i++)
				page[d + i] = delta[pos + i];
		else
			memcpy(page + d, delta + pos, nz);
		d += nz;
		pos += nz;
	}
}

int xbz_decode(uint8_t *page, size_t len, const uint8_t *delta, size_t delta_len, const char **why)
{
	if (delta_len == 0)
		return 0;
	if (!delta || (!page && len > 0))
		return fail(why, "NULL page or delta");
	if (validate(page, len, delta, delta_len, why) < 0)
		return -1;
	apply(page, delta, delta_len);
	return 0;
}
