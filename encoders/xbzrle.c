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
 *
 * The SIMD encoders use the scanners only for pages of 16 KiB and more.
 * Shorter pages (migration's 4 KiB) go through encode_mask(): one
 * branch-free sweep builds a bitmask of changed bytes, and runs are walked
 * with bit operations on it, since the scanners' per-run branches
 * mispredict on pages with many short runs. It applies the same checks in
 * the same order, so the agreement argument is unchanged.
 */
#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include "xbzrle.h"

#include "simd.h"

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

/* --- the changed-byte bitmask driver ------------------------------------------ */

/* Pages shorter than this are encoded from a bitmask on the stack (2 KiB),
 * and all their lengths fit 2 LEB128 bytes; longer ones, which migration
 * does not send, by encode_runs(). */
#define MASK_MAX 16384

/* What a mask builder found: no byte changed, some, or every one. */
enum mask_found { MASK_SAME, MASK_SOME, MASK_ALL };

typedef enum mask_found (*mask_fn)(const uint8_t *, const uint8_t *, size_t, uint64_t *,
				   uint64_t *);

/* Records word w of a mask in m and, as bit w % 64 of busy[w / 64], whether
 * it is not 0; the busy bits gather in a register (*acc) and are stored a
 * word at a time, with no read-modify-write chain through memory. */
static inline void put_word(uint64_t *m, uint64_t *busy, uint64_t *acc, size_t w, uint64_t x)
{
	m[w] = x;
	*acc |= (uint64_t)(x != 0) << (w % 64);
	if (w % 64 == 63) {
		busy[w / 64] = *acc;
		*acc = 0;
	}
}

/* put_len for a caller that has checked d + 2 <= limit, as rules (a) and
 * (b) do just before each length, of a length below 16384 (encode_mask()
 * takes pages shorter than that): two bytes without a branch on the
 * length's size, the second junk inside the limit when it takes one. */
static inline void put_len2(uint8_t *out, size_t *d, size_t v)
{
	size_t big = v >= 0x80;
	out[*d] = (uint8_t)(v | big << 7);
	out[*d + 1] = (uint8_t)(v >> 7);
	*d += 1 + big;
}

/* The slow halves of a triple for encode_mask(), with every check: the
 * zero-run length and rules (a), (b) when a non-zero run starts, its
 * length, rule (c) and its bytes when it ends. They return the new d, or
 * -1. Out of line, so the common case keeps its registers. */
static __attribute__((noinline)) long run_start(uint8_t *out, size_t d, size_t limit, size_t zrun)
{
	if (d + 2 > limit)
		return -1;
	put_len2(out, &d, zrun);
	return d + 2 > limit ? -1 : (long)d;
}

static __attribute__((noinline)) long run_end(uint8_t *out, size_t d, size_t limit,
					      const uint8_t *src, size_t k)
{
	put_len2(out, &d, k); /* the caller has checked d + 2 <= limit */
	if (d + k > limit)
		return -1;
	memcpy(out + d, src, k);
	return (long)(d + k);
}

/* One length below 16384 as LEB128 in the low 2 bytes, and its size. */
static inline uint32_t leb2(size_t v, size_t *size)
{
	size_t big = v >= 0x80;
	*size = 1 + big;
	return (uint32_t)((v | big << 7) & 0xff) | (uint32_t)(v >> 7) << 8;
}

/* The rule of xbzrle.h applied to the bitmask build() makes in one
 * branch-free sweep (bit k of word w set when byte 64w + k differs). The
 * walk takes a word at a time: its run starts and ends are bit operations,
 * and each boundary is a tzcnt and a clear-lowest-bit, so the chain from
 * one run to the next is a cycle or two and no branch depends on a byte;
 * the scanners mispredict at almost every short run. The checks are the
 * reference's, in its order, with the same d: (a) and (b) when a non-zero
 * run starts, (c) when it ends, (a) again before a trailing zero run.
 * Inlined so build() and the copies use the caller's instruction set. */
static inline __attribute__((always_inline)) int encode_mask(const uint8_t *o, const uint8_t *n,
							     size_t len, uint8_t *out, size_t limit,
							     mask_fn build)
{
	/* mm[0] = 0 is the word before the page, so every word has one before:
	 * m[w]'s predecessor is mm[w] (not m[w - 1], which for w = 0 wraps the
	 * unsigned index: undefined pointer arithmetic, found by the fuzzer). */
	uint64_t mm[MASK_MAX / 64 + 1], *m = mm + 1;
	uint64_t busy[MASK_MAX / 64 / 64]; /* bit w % 64 of busy[w / 64]: m[w] != 0 */
	size_t nw = (len + 63) / 64;
	size_t i = 0, z = 0, d = 0; /* i: end of the last non-zero run; z: start of this one */
	long r;
	if (limit > INT_MAX)
		limit = INT_MAX;
	if (len == 0)
		return 0;
	enum mask_found found = build(o, n, len, m, busy);
	if (found == MASK_SAME)
		return limit < 2 ? -1 : 0; /* identical: only rule (a) applies */
	if (found == MASK_ALL) {
		/* One run, the whole page, from rule (a) at d = 0 on: the walk
		 * below would do the same, a word at a time. m and busy are
		 * not filled. */
		if ((r = run_start(out, 0, limit, 0)) < 0 ||
		    (r = run_end(out, (size_t)r, limit, n, len)) < 0)
			return -1;
		return (int)r;
	}
	mm[0] = 0;
	long room = (long)limit - 36; /* d <= room: a short run cannot overflow */
	for (size_t b = 0; b < (nw + 63) / 64; b++) {
		/* Only words that are busy or follow one can hold a boundary,
		 * so long unchanged stretches cost one bit each, with no
		 * branch per word as sparse changes would mispredict. */
		uint64_t todo = busy[b] | busy[b] << 1 | (b ? busy[b - 1] >> 63 : 0);
		if (nw - 64 * b < 64)
			todo &= (1ULL << (nw - 64 * b)) - 1; /* not the word past the end */
		while (todo) {
			size_t w = 64 * b + (size_t)__builtin_ctzll(todo);
			todo &= todo - 1;
			uint64_t x = m[w], carry = mm[w] >> 63; /* carry: inside a run */
			if (x + carry == 0) /* all changed, inside a run: nothing ends */
				continue;
			uint64_t prev = x << 1 | carry;
			uint64_t starts = x & ~prev, ends = ~x & prev;
			size_t base = w << 6;
			if (carry) { /* the run from an earlier word ends here, if at all */
				if (!ends)
					continue;
				size_t e = base + (size_t)__builtin_ctzll(ends);
				ends &= ends - 1;
				if ((r = run_end(out, d, limit, n + z, e - z)) < 0)
					return -1;
				d = (size_t)r;
				i = e;
			}
			while (starts) {
				z = base + (size_t)__builtin_ctzll(starts);
				starts &= starts - 1;
				if (!ends) { /* runs on into the next word */
					if ((r = run_start(out, d, limit, z - i)) < 0)
						return -1;
					d = (size_t)r;
					break;
				}
				size_t e = base + (size_t)__builtin_ctzll(ends);
				ends &= ends - 1;
				size_t k = e - z;
				if ((long)d <= room && k <= 32 && len - z >= 32) {
					/* Two 2-byte lengths and 32 bytes fit in the 36
					 * spare, so no check can fail: one 4-byte store
					 * of both lengths and one fixed 32-byte copy
					 * (the junk past them is inside the limit, and
					 * the next triple overwrites it or the caller
					 * ignores it). */
					size_t zs;
					uint16_t h = (uint16_t)leb2(z - i, &zs);
					memcpy(out + d, &h, 2);
					d += zs;
					out[d++] = (uint8_t)k; /* k <= 32: one LEB128 byte */
					memcpy(out + d, n + z, 32);
					d += k;
				} else {
					if ((r = run_start(out, d, limit, z - i)) < 0 ||
					    (r = run_end(out, (size_t)r, limit, n + z, k)) < 0)
						return -1;
					d = (size_t)r;
				}
				i = e;
			}
		}
	}
	/* Bits past len are clear, so a run reaching len ended above unless
	 * len is a multiple of 64. */
	if (m[nw - 1] >> 63) {
		if ((r = run_end(out, d, limit, n + z, len - z)) < 0)
			return -1;
		d = (size_t)r;
		i = len;
	}
	if (i < len && d + 2 > limit)
		return -1; /* rule (a) before the trailing zero run */
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

/* Bits of the r < 64 bytes past the last whole word, for the builders
 * without masked loads (page lengths are multiples of 64 in practice). */
static inline uint64_t ne_tail_bytes(const uint8_t *o, const uint8_t *n, size_t r)
{
	uint64_t b = 0;
	for (size_t k = 0; k < r; k++)
		b |= (uint64_t)(o[k] != n[k]) << k;
	return b;
}

/* The changed-byte mask of encode_mask(): MASK_ALL when every byte of a
 * page of whole words changed (a rewrite: encode_mask() takes it as one
 * run, as avx512bw does), MASK_SOME when some did. */
static inline enum mask_found mask_sse2(const uint8_t *o, const uint8_t *n, size_t len, uint64_t *m,
					uint64_t *busy)
{
	size_t w, nw = len / 64;
	uint64_t any = 0, acc = 0, all = ~(uint64_t)0;
	for (w = 0; w < nw; w++) {
		const uint8_t *p = o + 64 * w, *q = n + 64 * w;
		uint64_t eq = (uint64_t)eq16(p, q) | (uint64_t)eq16(p + 16, q + 16) << 16 |
			      (uint64_t)eq16(p + 32, q + 32) << 32 |
			      (uint64_t)eq16(p + 48, q + 48) << 48;
		any |= ~eq;
		all &= ~eq;
		put_word(m, busy, &acc, w, ~eq);
	}
	if (len % 64) {
		uint64_t x = ne_tail_bytes(o + 64 * w, n + 64 * w, len % 64);
		any |= x;
		all = 0; /* a partial last word: the walk decides */
		put_word(m, busy, &acc, w++, x);
	}
	if (w % 64)
		busy[w / 64] = acc;
	return !any ? MASK_SAME : all == ~(uint64_t)0 ? MASK_ALL : MASK_SOME;
}

static int encode_sse2(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out, size_t limit)
{
	if (len >= MASK_MAX)
		return encode_runs(o, n, len, out, limit, same_end_sse2, diff_end_sse2);
	return encode_mask(o, n, len, out, limit, mask_sse2);
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

static inline AVX2 enum mask_found mask_avx2(const uint8_t *o, const uint8_t *n, size_t len,
					     uint64_t *m, uint64_t *busy)
{
	size_t w, nw = len / 64;
	uint64_t any = 0, acc = 0, all = ~(uint64_t)0;
	for (w = 0; w < nw; w++) {
		const uint8_t *p = o + 64 * w, *q = n + 64 * w;
		uint64_t eq = (uint64_t)eq32(p, q) | (uint64_t)eq32(p + 32, q + 32) << 32;
		any |= ~eq;
		all &= ~eq;
		put_word(m, busy, &acc, w, ~eq);
	}
	if (len % 64) {
		uint64_t x = ne_tail_bytes(o + 64 * w, n + 64 * w, len % 64);
		any |= x;
		all = 0; /* a partial last word: the walk decides */
		put_word(m, busy, &acc, w++, x);
	}
	if (w % 64)
		busy[w / 64] = acc;
	return !any ? MASK_SAME : all == ~(uint64_t)0 ? MASK_ALL : MASK_SOME;
}

static AVX2 int encode_avx2(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out,
			    size_t limit)
{
	if (len >= MASK_MAX)
		return encode_runs(o, n, len, out, limit, same_end_avx2, diff_end_avx2);
	return encode_mask(o, n, len, out, limit, mask_avx2);
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

/* Shifts into z one bit, set when mask word k is 0: cmp sets the carry
 * for k < 1, adc doubles z and adds it. Two instructions a line where C's
 * z * 2 + (k == 0) compiles to four. */
static inline uint64_t shift_in_unchanged(uint64_t z, uint64_t k)
{
	__asm__("cmpq $1, %1\n\tadcq %0, %0" : "+r"(z) : "r"(k) : "cc");
	return z;
}

/* z with c in 1..64 unchanged words shifted in. */
static inline uint64_t shift_in_unchanged_n(uint64_t z, unsigned c)
{
	return z << (c - 1) << 1 | ~(uint64_t)0 >> (64 - c);
}

/* The busy word of the c <= 64 words whose "unchanged" bits z shifted in,
 * the first word's highest: bit j set when word j changed. */
static inline uint64_t busy_of(uint64_t z, unsigned c)
{
	uint64_t x = ~z << (64 - c); /* word j at bit 63 - j, zeros below */
	x = (x >> 1 & 0x5555555555555555ULL) | (x & 0x5555555555555555ULL) << 1;
	x = (x >> 2 & 0x3333333333333333ULL) | (x & 0x3333333333333333ULL) << 2;
	x = (x >> 4 & 0x0f0f0f0f0f0f0f0fULL) | (x & 0x0f0f0f0f0f0f0f0fULL) << 4;
	return __builtin_bswap64(x);
}

/* 256 bytes of the pair, one block of four mask words, all 0. */
static inline AVX512 int block_same(const uint8_t *p, const uint8_t *q)
{
	__m512i x = _mm512_or_si512(_mm512_xor_si512(ld512(p), ld512(q)),
				    _mm512_xor_si512(ld512(p + 64), ld512(q + 64)));
	__m512i y = _mm512_or_si512(_mm512_xor_si512(ld512(p + 128), ld512(q + 128)),
				    _mm512_xor_si512(ld512(p + 192), ld512(q + 192)));
	x = _mm512_or_si512(x, y);
	return !_mm512_test_epi64_mask(x, x);
}

/* The changed-byte mask of encode_mask(), a block of four lines a turn:
 * each line one compare, one store of its mask word, and its busy bit
 * shifted into a register (shift_in_unchanged), so the busy bits are done
 * when the last line is. A block that did not change hands over to a loop
 * that only tests blocks (a branch and zero stores a block, so an identical
 * page costs no more than reading it) until one differs.
 *
 * Why the busy bits are built in the loop (issue 23 §1, measured with
 * enc_bench, docs/encoders.md): memory-bound, the bare loop (a compare and
 * a store a line, the busy bits made after it from the stored words, 8 a
 * vector test) reached 0.83-0.87 of the ceiling on calloc pages, this one
 * 0.93-0.96. A loop that only loads and compares seems to run ahead of the
 * hardware prefetcher (a plain read with the same work a line is the
 * fastest read of a pair, and is part of enc_bench's ceiling), and the
 * walk no longer waits for a second pass. The bits cost two instructions a
 * line (shift_in_unchanged), so pages in cache lose nothing; a test, a
 * set and an OR a line with a running "any" and "all" cost them 17 %.
 * The page's first block is taken
 * as lines, not tested first: a test redone line by line when the block
 * differs cost 2-4 % of the ceiling on calloc pages. Tried and dropped:
 * one busy bit per block (the walk then visits unchanged words, and on 1 %
 * random pages mispredicts: -15 %), no block test at all (identical pages
 * in cache 0.6 of the ceiling), 256-bit loads. A page whose every byte
 * changed (a rewrite) is MASK_ALL, and encode_mask() takes it as one run. */
static inline AVX512 enum mask_found mask_avx512(const uint8_t *o, const uint8_t *n, size_t len,
						 uint64_t *m, uint64_t *busy)
{
	size_t nw = len / 64, nb = nw & ~(size_t)3, w = 0;
	uint64_t z = 0, all = ~(uint64_t)0, any = 0;
	int seen = 0; /* a block of lines had a change */
	while (w < nb) {
		/* Blocks never straddle a busy word: 64 is a multiple of 4. */
		size_t end = (w | 63) + 1 < nb ? (w | 63) + 1 : nb;
		while (w < end) {
			const uint8_t *p = o + 64 * w, *q = n + 64 * w;
			uint64_t k0 = _mm512_cmpneq_epi8_mask(ld512(p), ld512(q));
			uint64_t k1 = _mm512_cmpneq_epi8_mask(ld512(p + 64), ld512(q + 64));
			uint64_t k2 = _mm512_cmpneq_epi8_mask(ld512(p + 128), ld512(q + 128));
			uint64_t k3 = _mm512_cmpneq_epi8_mask(ld512(p + 192), ld512(q + 192));
			if (!(k0 | k1 | k2 | k3)) {
				size_t from = w;
				do
					m[w] = m[w + 1] = m[w + 2] = m[w + 3] = 0;
				while ((w += 4) < end && block_same(o + 64 * w, n + 64 * w));
				z = shift_in_unchanged_n(z, (unsigned)(w - from));
				all = 0;
				continue;
			}
			seen = 1;
			m[w] = k0, m[w + 1] = k1, m[w + 2] = k2, m[w + 3] = k3;
			z = shift_in_unchanged(z, k0);
			z = shift_in_unchanged(z, k1);
			z = shift_in_unchanged(z, k2);
			z = shift_in_unchanged(z, k3);
			all &= k0 & k1 & k2 & k3;
			w += 4;
		}
		if (!seen && w == nw && len % 64 == 0)
			return MASK_SAME; /* identical: the busy bits are not read */
		if (w % 64 == 0) {
			busy[w / 64 - 1] = busy_of(z, 64);
			any |= busy[w / 64 - 1];
			z = 0;
		}
	}
	for (; w < nw; w++) { /* lines past the last whole block */
		uint64_t k = _mm512_cmpneq_epi8_mask(ld512(o + 64 * w), ld512(n + 64 * w));
		m[w] = k;
		z = shift_in_unchanged(z, k);
		all &= k;
	}
	if (len % 64) {
		uint64_t k = ne_tail(o + 64 * w, n + 64 * w, len % 64);
		m[w++] = k;
		z = shift_in_unchanged(z, k);
		all = 0; /* a partial last word: the walk decides */
	}
	size_t rest = w - (nb & ~(size_t)63); /* words since the last whole busy word */
	if (rest) {
		busy[(w - 1) / 64] = busy_of(z, (unsigned)rest);
		any |= busy[(w - 1) / 64];
	}
	if (!any)
		return MASK_SAME;
	return all == ~(uint64_t)0 ? MASK_ALL : MASK_SOME;
}

static AVX512 int encode_avx512(const uint8_t *o, const uint8_t *n, size_t len, uint8_t *out,
				size_t limit)
{
	if (len >= MASK_MAX)
		return encode_runs(o, n, len, out, limit, same_end_avx512, diff_end_avx512);
	return encode_mask(o, n, len, out, limit, mask_avx512);
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
	static const enum simd_level need[XBZ_IMPL_COUNT] = {
	    [XBZ_SSE2] = SIMD_SSE2, [XBZ_AVX2] = SIMD_AVX2, [XBZ_AVX512BW] = SIMD_AVX512BW};
	return simd_has(need[impl]);
}

/* Bit k set when implementation k can run; -1 until the first call (racing
 * first calls store the same value). Asked once: xbz_encode_with() checks
 * it at every page, and asking the CPU each time cost a few ns a page, a
 * few per cent of an identical page in cache. */
static atomic_int available = -1;

int xbz_impl_available(enum xbz_impl impl)
{
	if ((unsigned)impl >= XBZ_IMPL_COUNT)
		return 0;
	int bits = atomic_load_explicit(&available, memory_order_relaxed);
	if (bits < 0) {
		bits = 0;
		for (int k = 0; k < XBZ_IMPL_COUNT; k++)
			if (impls[k].fn && cpu_has((enum xbz_impl)k))
				bits |= 1 << k;
		atomic_store_explicit(&available, bits, memory_order_relaxed);
	}
	return bits >> impl & 1;
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
