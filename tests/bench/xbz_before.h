/*
 * xbz_before — THE REFERENCE FOR enc_bench ONLY, never linked into migsim:
 * a frozen copy of the avx512bw XBZRLE encoder as it was on main before
 * issue 23 §1 (commit c38545e, encoders/xbzrle.c: encode_mask() with
 * mask_avx512(), which skips identical 256-byte blocks first and finds the
 * busy words with vector tests of the stored mask). enc_bench runs it in
 * the same interleaved rounds as the library's encoders, so "no case slower
 * than before" is checked against a figure of the same run and machine
 * instead of constants measured elsewhere.
 *
 * Only the path a 4 KiB page takes (pages under 16 KiB) is kept; the bench
 * calls it with nothing else. Needs AVX-512BW (before_available()).
 */
#ifndef MIGSIM_XBZ_BEFORE_H
#define MIGSIM_XBZ_BEFORE_H

#if defined(__x86_64__)
#include <immintrin.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#define BEFORE_MASK_MAX 16384
#define BEFORE_AVX512	__attribute__((target("avx512f,avx512bw")))

static inline void before_put_len2(uint8_t *out, size_t *d, size_t v)
{
	size_t big = v >= 0x80;
	out[*d] = (uint8_t)(v | big << 7);
	out[*d + 1] = (uint8_t)(v >> 7);
	*d += 1 + big;
}

static __attribute__((noinline)) long before_run_start(uint8_t *out, size_t d, size_t limit,
						       size_t zrun)
{
	if (d + 2 > limit)
		return -1;
	before_put_len2(out, &d, zrun);
	return d + 2 > limit ? -1 : (long)d;
}

static __attribute__((noinline)) long before_run_end(uint8_t *out, size_t d, size_t limit,
						     const uint8_t *src, size_t k)
{
	before_put_len2(out, &d, k);
	if (d + k > limit)
		return -1;
	memcpy(out + d, src, k);
	return (long)(d + k);
}

static inline uint32_t before_leb2(size_t v, size_t *size)
{
	size_t big = v >= 0x80;
	*size = 1 + big;
	return (uint32_t)((v | big << 7) & 0xff) | (uint32_t)(v >> 7) << 8;
}

static inline BEFORE_AVX512 uint64_t before_ne_tail(const uint8_t *o, const uint8_t *n, size_t r)
{
	__mmask64 m = (__mmask64)((1ULL << r) - 1);
	return _mm512_mask_cmpneq_epi8_mask(m, _mm512_maskz_loadu_epi8(m, o),
					    _mm512_maskz_loadu_epi8(m, n));
}

static inline BEFORE_AVX512 __m512i before_ld512(const uint8_t *p)
{
	return _mm512_loadu_si512((const void *)p);
}

static inline BEFORE_AVX512 uint64_t before_mask(const uint8_t *o, const uint8_t *n, size_t len,
						 uint64_t *m, uint64_t *busy)
{
	size_t w, nw = len / 64;
	for (w = 0; w + 4 <= nw; w += 4) {
		const uint8_t *p = o + 64 * w, *q = n + 64 * w;
		__m512i x =
		    _mm512_or_si512(_mm512_xor_si512(before_ld512(p), before_ld512(q)),
				    _mm512_xor_si512(before_ld512(p + 64), before_ld512(q + 64)));
		__m512i y =
		    _mm512_or_si512(_mm512_xor_si512(before_ld512(p + 128), before_ld512(q + 128)),
				    _mm512_xor_si512(before_ld512(p + 192), before_ld512(q + 192)));
		x = _mm512_or_si512(x, y);
		if (_mm512_test_epi64_mask(x, x))
			break;
		m[w] = m[w + 1] = m[w + 2] = m[w + 3] = 0;
	}
	if (w == nw && len % 64 == 0)
		return 0;
	__mmask64 any = 0;
	for (; w < nw; w++) {
		__mmask64 x =
		    _mm512_cmpneq_epi8_mask(before_ld512(o + 64 * w), before_ld512(n + 64 * w));
		any = _kor_mask64(any, x);
		m[w] = (uint64_t)x;
	}
	if (len % 64) {
		__mmask64 x = (__mmask64)before_ne_tail(o + 64 * w, n + 64 * w, len % 64);
		any = _kor_mask64(any, x);
		m[w++] = (uint64_t)x;
	}
	for (size_t k = w; k % 8; k++)
		m[k] = 0;
	for (size_t b = 0; b < (w + 63) / 64; b++) {
		uint64_t acc = 0;
		for (size_t j = 0; j < 8 && 64 * b + 8 * j < w; j++) {
			__m512i v = _mm512_loadu_si512((const void *)(m + 64 * b + 8 * j));
			acc |= (uint64_t)_mm512_test_epi64_mask(v, v) << (8 * j);
		}
		busy[b] = acc;
	}
	return (uint64_t)any;
}

/* encode_mask() of main at c38545e with mask_avx512() inlined. */
static BEFORE_AVX512 int before_encode(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out,
				       size_t limit)
{
	uint64_t mm[BEFORE_MASK_MAX / 64 + 1], *m = mm + 1;
	uint64_t busy[BEFORE_MASK_MAX / 64 / 64];
	size_t nw = (len + 63) / 64;
	size_t i = 0, z = 0, d = 0;
	long r;
	if (len >= BEFORE_MASK_MAX)
		return -2; /* not kept: see the top of this file */
	if (limit > INT_MAX)
		limit = INT_MAX;
	if (len == 0)
		return 0;
	if (!before_mask(o, n, len, m, busy))
		return limit < 2 ? -1 : 0;
	mm[0] = 0;
	long room = (long)limit - 36;
	for (size_t b = 0; b < (nw + 63) / 64; b++) {
		uint64_t todo = busy[b] | busy[b] << 1 | (b ? busy[b - 1] >> 63 : 0);
		if (nw - 64 * b < 64)
			todo &= (1ULL << (nw - 64 * b)) - 1;
		while (todo) {
			size_t w = 64 * b + (size_t)__builtin_ctzll(todo);
			todo &= todo - 1;
			uint64_t x = m[w], carry = mm[w] >> 63;
			if (x + carry == 0)
				continue;
			uint64_t prev = x << 1 | carry;
			uint64_t starts = x & ~prev, ends = ~x & prev;
			size_t base = w << 6;
			if (carry) {
				if (!ends)
					continue;
				size_t e = base + (size_t)__builtin_ctzll(ends);
				ends &= ends - 1;
				if ((r = before_run_end(out, d, limit, n + z, e - z)) < 0)
					return -1;
				d = (size_t)r;
				i = e;
			}
			while (starts) {
				z = base + (size_t)__builtin_ctzll(starts);
				starts &= starts - 1;
				if (!ends) {
					if ((r = before_run_start(out, d, limit, z - i)) < 0)
						return -1;
					d = (size_t)r;
					break;
				}
				size_t e = base + (size_t)__builtin_ctzll(ends);
				ends &= ends - 1;
				size_t k = e - z;
				if ((long)d <= room && k <= 32 && len - z >= 32) {
					size_t zs, ks;
					uint32_t h = before_leb2(z - i, &zs);
					h |= before_leb2(k, &ks) << (8 * zs);
					memcpy(out + d, &h, 4);
					d += zs + ks;
					memcpy(out + d, n + z, 32);
					d += k;
				} else {
					if ((r = before_run_start(out, d, limit, z - i)) < 0 ||
					    (r = before_run_end(out, (size_t)r, limit, n + z, k)) <
						0)
						return -1;
					d = (size_t)r;
				}
				i = e;
			}
		}
	}
	if (m[nw - 1] >> 63) {
		if ((r = before_run_end(out, d, limit, n + z, len - z)) < 0)
			return -1;
		d = (size_t)r;
		i = len;
	}
	if (i < len && d + 2 > limit)
		return -1;
	return (int)d;
}

static int before_available(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

#else
static int before_encode(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out, size_t limit)
{
	(void)o, (void)n, (void)len, (void)out, (void)limit;
	return -2;
}

static int before_available(void)
{
	return 0;
}
#endif

#endif
