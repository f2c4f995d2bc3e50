/*
 * xbzrle — the XBZRLE encoders (format and overflow rule: xbzrle.h) and the
 * one-time choice of the fastest one this CPU can run. The decoder, which
 * shares nothing with them but the format, is in xbzrle_decode.c.
 *
 * encode_ref() is the definition: byte by byte, written straight from the
 * rule. The fast encoders share one driver, encode_runs(), that applies the
 * rule to run boundaries found by two scanners per instruction set:
 * same_end (first changed byte at or after i) and diff_end (first unchanged
 * byte). Only the scanners differ, so all encoders agree by construction
 * and the tests compare them with the independent reference. SIMD scanners
 * are compiled with target attributes so the file builds with plain -O2; a
 * scanner hands the last partial vector to the next narrower one.
 */
#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include "xbzrle.h"

/* SIMD only on x86-64; -DENC_NO_SIMD builds the portable paths alone, as
 * on other machines (the tests then see the SIMD ones unavailable). */
#if defined(__x86_64__) && !defined(ENC_NO_SIMD)
#define ENC_X86 1
#include <immintrin.h>
#endif

typedef int (*encode_fn)(const uint8_t *, const uint8_t *, size_t, uint8_t *, size_t);
typedef size_t (*scan_fn)(const uint8_t *, const uint8_t *, size_t, size_t);

/* --- LEB128 lengths ------------------------------------------------------ */

static size_t leb_size(size_t v)
{
	size_t n = 1;
	for (; v >= 0x80; v >>= 7)
		n++;
	return n;
}

/* Appends v at out[*d] unless it would cross limit (the caller keeps
 * *d <= limit): the "never write past limit" addition to QEMU's rule. */
static int put_len(uint8_t *out, size_t *d, size_t limit, size_t v)
{
	if (leb_size(v) > limit - *d)
		return -1;
	for (; v >= 0x80; v >>= 7)
		out[(*d)++] = (uint8_t)(v | 0x80);
	out[(*d)++] = (uint8_t)v;
	return 0;
}

/* --- the reference --------------------------------------------------------- */

static int encode_ref(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out, size_t limit)
{
	size_t i = 0, d = 0, start;
	if (limit > INT_MAX)
		limit = INT_MAX;
	while (i < len) {
		if (d + 2 > limit)
			return -1;
		for (start = i; i < len && o[i] == n[i]; i++)
			;
		if (i == len)
			return (int)d; /* identical page (d == 0) or trailing zero run */
		if (put_len(out, &d, limit, i - start) < 0 || d + 2 > limit)
			return -1;
		for (start = i; i < len && o[i] != n[i]; i++)
			;
		if (put_len(out, &d, limit, i - start) < 0 || d + (i - start) > limit)
			return -1;
		memcpy(out + d, n + start, i - start);
		d += i - start;
	}
	return (int)d;
}

/* --- the shared driver ------------------------------------------------------ */

/* Inlined into each encoder so that its scanners are inlined too. */
static inline __attribute__((always_inline)) int encode_runs(const uint8_t *o, const uint8_t *n,
							     size_t len, uint8_t *out, size_t limit,
							     scan_fn same_end, scan_fn diff_end)
{
	size_t i = 0, d = 0;
	if (limit > INT_MAX)
		limit = INT_MAX;
	while (i < len) {
		if (d + 2 > limit)
			return -1;
		size_t z = same_end(o, n, i, len);
		if (z == len)
			return (int)d;
		if (put_len(out, &d, limit, z - i) < 0 || d + 2 > limit)
			return -1;
		size_t e = diff_end(o, n, z, len);
		if (put_len(out, &d, limit, e - z) < 0 || d + (e - z) > limit)
			return -1;
		if (e - z <= 8) /* most changed runs are short: skip the call */
			for (size_t k = z; k < e; k++)
				out[d++] = n[k];
		else
			d += (size_t)(memcpy(out + d, n + z, e - z), e - z);
		i = e;
	}
	return (int)d;
}

/* --- 8 bytes at a time -------------------------------------------------------- */

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* The lowest-addressed byte of a word loaded by load64 that has a bit set. */
static inline size_t first_byte(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) / 8;
#else
	return (size_t)__builtin_ctzll(m) / 8;
#endif
}

/* 0x80 in each byte of x that is zero, 0 in the others. Unlike the usual
 * (x - 0x01..) & ~x trick no borrow crosses bytes, so the mask is exact in
 * every byte, which the big-endian clz needs. */
static inline uint64_t zero_bytes(uint64_t x)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
	return ~(((x & low7) + low7) | x | low7);
}

static inline size_t same_end_word(const uint8_t *o, const uint8_t *n, size_t i, size_t len)
{
	for (; len - i >= 16; i += 16) {
		uint64_t x0 = load64(o + i) ^ load64(n + i);
		uint64_t x1 = load64(o + i + 8) ^ load64(n + i + 8);
		if (x0 | x1)
			return x0 ? i + first_byte(x0) : i + 8 + first_byte(x1);
	}
	for (; len - i >= 8; i += 8) {
		uint64_t x = load64(o + i) ^ load64(n + i);
		if (x)
			return i + first_byte(x);
	}
	while (i < len && o[i] == n[i])
		i++;
	return i;
}

static inline size_t diff_end_word(const uint8_t *o, const uint8_t *n, size_t i, size_t len)
{
	for (; len - i >= 8; i += 8) {
		uint64_t z = zero_bytes(load64(o + i) ^ load64(n + i));
		if (z)
			return i + first_byte(z);
	}
	while (i < len && o[i] != n[i])
		i++;
	return i;
}

static int encode_word(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out, size_t limit)
{
	return encode_runs(o, n, len, out, limit, same_end_word, diff_end_word);
}

#if defined(ENC_X86)

/* --- SSE2 (every x86-64 has it) ----------------------------------------------- */

static inline __m128i ld128(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Bit k set when byte k of the two 16-byte blocks is equal. */
static inline unsigned eq16(const uint8_t *o, const uint8_t *n)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(ld128(o), ld128(n)));
}

static inline size_t same_end_sse2(const uint8_t *o, const uint8_t *n, size_t i, size_t len)
{
	/* Unchanged stretches are the long ones: test 64 bytes per branch. */
	for (; len - i >= 64; i += 64) {
		__m128i e = _mm_and_si128(_mm_cmpeq_epi8(ld128(o + i), ld128(n + i)),
					  _mm_cmpeq_epi8(ld128(o + i + 16), ld128(n + i + 16)));
		e = _mm_and_si128(e, _mm_cmpeq_epi8(ld128(o + i + 32), ld128(n + i + 32)));
		e = _mm_and_si128(e, _mm_cmpeq_epi8(ld128(o + i + 48), ld128(n + i + 48)));
		if (_mm_movemask_epi8(e) != 0xffff)
			break;
	}
	for (; len - i >= 16; i += 16) {
		unsigned ne = eq16(o + i, n + i) ^ 0xffffu;
		if (ne)
			return i + (size_t)__builtin_ctz(ne);
	}
	return same_end_word(o, n, i, len);
}

static inline size_t diff_end_sse2(const uint8_t *o, const uint8_t *n, size_t i, size_t len)
{
	for (; len - i >= 16; i += 16) {
		unsigned eq = eq16(o + i, n + i);
		if (eq)
			return i + (size_t)__builtin_ctz(eq);
	}
	return diff_end_word(o, n, i, len);
}

static int encode_sse2(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out, size_t limit)
{
	return encode_runs(o, n, len, out, limit, same_end_sse2, diff_end_sse2);
}

/* --- AVX2 ------------------------------------------------------------------ */

#define AVX2 __attribute__((target("avx2")))

static inline AVX2 __m256i ld256(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

static inline AVX2 uint32_t eq32(const uint8_t *o, const uint8_t *n)
{
	return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(ld256(o), ld256(n)));
}

static inline AVX2 size_t same_end_avx2(const uint8_t *o, const uint8_t *n, size_t i, size_t len)
{
	if (len - i >= 64) {
		/* One unaligned block, then on to n's next 32-byte boundary: loads
		 * that straddle cache lines cost twice, and guest pages share
		 * their alignment, so o's loads line up too. */
		uint32_t ne = ~eq32(o + i, n + i);
		if (ne)
			return i + (size_t)__builtin_ctz(ne);
		i += 32 - ((uintptr_t)(n + i) & 31);
	}
	for (; len - i >= 128; i += 128) {
		__m256i e =
		    _mm256_and_si256(_mm256_cmpeq_epi8(ld256(o + i), ld256(n + i)),
				     _mm256_cmpeq_epi8(ld256(o + i + 32), ld256(n + i + 32)));
		__m256i f =
		    _mm256_and_si256(_mm256_cmpeq_epi8(ld256(o + i + 64), ld256(n + i + 64)),
				     _mm256_cmpeq_epi8(ld256(o + i + 96), ld256(n + i + 96)));
		if ((uint32_t)_mm256_movemask_epi8(_mm256_and_si256(e, f)) != 0xffffffffu)
			break;
	}
	for (; len - i >= 32; i += 32) {
		uint32_t ne = ~eq32(o + i, n + i);
		if (ne)
			return i + (size_t)__builtin_ctz(ne);
	}
	return same_end_sse2(o, n, i, len);
}

static inline AVX2 size_t diff_end_avx2(const uint8_t *o, const uint8_t *n, size_t i, size_t len)
{
	for (; len - i >= 32; i += 32) {
		uint32_t eq = eq32(o + i, n + i);
		if (eq)
			return i + (size_t)__builtin_ctz(eq);
	}
	return diff_end_sse2(o, n, i, len);
}

static AVX2 int encode_avx2(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out,
			    size_t limit)
{
	return encode_runs(o, n, len, out, limit, same_end_avx2, diff_end_avx2);
}

/* --- AVX-512BW ------------------------------------------------------------------ */

#define AVX512 __attribute__((target("avx512f,avx512bw")))

static inline AVX512 __m512i ld512(const uint8_t *p)
{
	return _mm512_loadu_si512((const void *)p);
}

/* Bit k set when byte k differs, over the r < 64 bytes left: masked loads
 * never touch the bytes past the end. */
static inline AVX512 uint64_t ne_tail(const uint8_t *o, const uint8_t *n, size_t r)
{
	__mmask64 m = (__mmask64)((1ULL << r) - 1);
	return _mm512_mask_cmpneq_epi8_mask(m, _mm512_maskz_loadu_epi8(m, o),
					    _mm512_maskz_loadu_epi8(m, n));
}

static inline AVX512 size_t same_end_avx512(const uint8_t *o, const uint8_t *n, size_t i,
					    size_t len)
{
	if (len - i >= 128) {
		/* As in same_end_avx2: every unaligned 64-byte load straddles. */
		uint64_t ne = _mm512_cmpneq_epi8_mask(ld512(o + i), ld512(n + i));
		if (ne)
			return i + (size_t)__builtin_ctzll(ne);
		i += 64 - ((uintptr_t)(n + i) & 63);
	}
	for (; len - i >= 256; i += 256) {
		__m512i x = _mm512_or_si512(_mm512_xor_si512(ld512(o + i), ld512(n + i)),
					    _mm512_xor_si512(ld512(o + i + 64), ld512(n + i + 64)));
		__m512i y =
		    _mm512_or_si512(_mm512_xor_si512(ld512(o + i + 128), ld512(n + i + 128)),
				    _mm512_xor_si512(ld512(o + i + 192), ld512(n + i + 192)));
		if (_mm512_test_epi64_mask(_mm512_or_si512(x, y), _mm512_or_si512(x, y)))
			break;
	}
	for (; len - i >= 64; i += 64) {
		uint64_t ne = _mm512_cmpneq_epi8_mask(ld512(o + i), ld512(n + i));
		if (ne)
			return i + (size_t)__builtin_ctzll(ne);
	}
	if (i == len)
		return i;
	uint64_t ne = ne_tail(o + i, n + i, len - i);
	return ne ? i + (size_t)__builtin_ctzll(ne) : len;
}

static inline AVX512 size_t diff_end_avx512(const uint8_t *o, const uint8_t *n, size_t i,
					    size_t len)
{
	for (; len - i >= 64; i += 64) {
		uint64_t eq = _mm512_cmpeq_epi8_mask(ld512(o + i), ld512(n + i));
		if (eq)
			return i + (size_t)__builtin_ctzll(eq);
	}
	if (i == len)
		return i;
	/* Bits from len - i up are set, so ctz stops at len at the latest. */
	uint64_t eq = ~ne_tail(o + i, n + i, len - i);
	return i + (size_t)__builtin_ctzll(eq);
}

static AVX512 int encode_avx512(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out,
				size_t limit)
{
	return encode_runs(o, n, len, out, limit, same_end_avx512, diff_end_avx512);
}

#endif /* ENC_X86 */

/* --- choosing -------------------------------------------------------------------- */

static const struct {
	const char *name;
	encode_fn fn;
} impls[XBZ_IMPL_COUNT] = {
    [XBZ_SCALAR_REF] = {"scalar-ref", encode_ref},
    [XBZ_SCALAR_WORD] = {"scalar-word", encode_word},
#if defined(ENC_X86)
    [XBZ_SSE2] = {"sse2", encode_sse2},
    [XBZ_AVX2] = {"avx2", encode_avx2},
    [XBZ_AVX512BW] = {"avx512bw", encode_avx512},
#else
    [XBZ_SSE2] = {"sse2", NULL},
    [XBZ_AVX2] = {"avx2", NULL},
    [XBZ_AVX512BW] = {"avx512bw", NULL},
#endif
};

static int cpu_has(enum xbz_impl impl)
{
#if defined(ENC_X86)
	__builtin_cpu_init();
	switch (impl) {
	case XBZ_AVX2:
		return __builtin_cpu_supports("avx2") != 0;
	case XBZ_AVX512BW:
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
	default:
		return 1;
	}
#else
	(void)impl;
	return 1;
#endif
}

int xbz_impl_available(enum xbz_impl impl)
{
	if ((unsigned)impl >= XBZ_IMPL_COUNT || !impls[impl].fn)
		return 0;
	return cpu_has(impl);
}

const char *xbz_impl_name(enum xbz_impl impl)
{
	return (unsigned)impl < XBZ_IMPL_COUNT ? impls[impl].name : "?";
}

/* -1 until the first call; racing first calls store the same value. */
static atomic_int selected = -1;

enum xbz_impl xbz_impl_selected(void)
{
	int k = atomic_load_explicit(&selected, memory_order_relaxed);
	if (k < 0) {
		for (k = XBZ_IMPL_COUNT - 1; k > XBZ_SCALAR_WORD; k--)
			if (xbz_impl_available((enum xbz_impl)k))
				break;
		atomic_store_explicit(&selected, k, memory_order_relaxed);
	}
	return (enum xbz_impl)k;
}

int xbz_encode(const uint8_t *old_page, const uint8_t *new_page, size_t len, uint8_t *out,
	       size_t limit)
{
	return impls[xbz_impl_selected()].fn(old_page, new_page, len, out, limit);
}

int xbz_encode_with(enum xbz_impl impl, const uint8_t *old_page, const uint8_t *new_page,
		    size_t len, uint8_t *out, size_t limit)
{
	if (!xbz_impl_available(impl))
		return XBZ_UNAVAILABLE;
	return impls[impl].fn(old_page, new_page, len, out, limit);
}
