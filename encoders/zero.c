/*
 * zero — zero_test() and its implementations (zero.h). Each one ORs blocks
 * together and stops at the first block that is not zero, since a page
 * that is not zero usually shows it in its first bytes. The last partial
 * block is read as a full block overlapping the one before (the test does
 * not care which bytes are read twice), or with a masked load, so no
 * implementation reads outside buf[0..len).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "zero.h"

#include "simd.h"

/* SIMD only on x86-64; -DENC_NO_SIMD builds the portable paths alone, as
 * on other machines (the tests then see the SIMD ones unavailable). */
#if defined(__x86_64__) && !defined(ENC_NO_SIMD)
#define ENC_X86 1
#include <immintrin.h>
#endif

typedef int (*zero_fn)(const uint8_t *, size_t);

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static int zero_scalar(const uint8_t *p, size_t len)
{
	size_t i = 0;
	if (len < 8) {
		uint8_t acc = 0;
		for (; i < len; i++)
			acc |= p[i];
		return acc == 0;
	}
	for (; len - i >= 32; i += 32)
		if (load64(p + i) | load64(p + i + 8) | load64(p + i + 16) | load64(p + i + 24))
			return 0;
	for (; len - i >= 8; i += 8)
		if (load64(p + i))
			return 0;
	return i == len || load64(p + len - 8) == 0;
}

#if defined(ENC_X86)

static inline __m128i ld128(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static inline int zero128(__m128i v)
{
	return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) == 0xffff;
}

static int zero_sse2(const uint8_t *p, size_t len)
{
	size_t i = 0;
	if (len < 16)
		return zero_scalar(p, len);
	for (; len - i >= 64; i += 64) {
		__m128i v = _mm_or_si128(_mm_or_si128(ld128(p + i), ld128(p + i + 16)),
					 _mm_or_si128(ld128(p + i + 32), ld128(p + i + 48)));
		if (!zero128(v))
			return 0;
	}
	for (; len - i >= 16; i += 16)
		if (!zero128(ld128(p + i)))
			return 0;
	return i == len || zero128(ld128(p + len - 16));
}

#define AVX2 __attribute__((target("avx2")))

static inline AVX2 __m256i ld256(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

static inline AVX2 int zero256(__m256i v)
{
	return _mm256_testz_si256(v, v);
}

static AVX2 int zero_avx2(const uint8_t *p, size_t len)
{
	size_t i = 0;
	if (len < 32)
		return zero_sse2(p, len);
	for (; len - i >= 128; i += 128) {
		__m256i v = _mm256_or_si256(_mm256_or_si256(ld256(p + i), ld256(p + i + 32)),
					    _mm256_or_si256(ld256(p + i + 64), ld256(p + i + 96)));
		if (!zero256(v))
			return 0;
	}
	for (; len - i >= 32; i += 32)
		if (!zero256(ld256(p + i)))
			return 0;
	return i == len || zero256(ld256(p + len - 32));
}

#define AVX512 __attribute__((target("avx512f,avx512bw")))

static inline AVX512 __m512i ld512(const uint8_t *p)
{
	return _mm512_loadu_si512((const void *)p);
}

static inline AVX512 int zero512(__m512i v)
{
	return _mm512_test_epi64_mask(v, v) == 0;
}

static AVX512 int zero_avx512(const uint8_t *p, size_t len)
{
	size_t i = 0;
	/* 512 bytes a branch, ORed as a tree so the loads do not wait on one
	 * chain of ORs: a zero page is 8 iterations. */
	for (; len - i >= 512; i += 512) {
		__m512i a =
		    _mm512_or_si512(_mm512_or_si512(ld512(p + i), ld512(p + i + 64)),
				    _mm512_or_si512(ld512(p + i + 128), ld512(p + i + 192)));
		__m512i b =
		    _mm512_or_si512(_mm512_or_si512(ld512(p + i + 256), ld512(p + i + 320)),
				    _mm512_or_si512(ld512(p + i + 384), ld512(p + i + 448)));
		if (!zero512(_mm512_or_si512(a, b)))
			return 0;
	}
	for (; len - i >= 256; i += 256) {
		__m512i v =
		    _mm512_or_si512(_mm512_or_si512(ld512(p + i), ld512(p + i + 64)),
				    _mm512_or_si512(ld512(p + i + 128), ld512(p + i + 192)));
		if (!zero512(v))
			return 0;
	}
	for (; len - i >= 64; i += 64)
		if (!zero512(ld512(p + i)))
			return 0;
	if (i == len)
		return 1;
	/* Masked-off bytes are neither read nor can fault. */
	__mmask64 m = (__mmask64)((1ULL << (len - i)) - 1);
	return zero512(_mm512_maskz_loadu_epi8(m, p + i));
}

#endif /* ENC_X86 */

static const struct {
	const char *name;
	zero_fn fn;
} impls[ZERO_IMPL_COUNT] = {
    [ZERO_SCALAR] = {"scalar", zero_scalar},
#if defined(ENC_X86)
    [ZERO_SSE2] = {"sse2", zero_sse2},
    [ZERO_AVX2] = {"avx2", zero_avx2},
    [ZERO_AVX512BW] = {"avx512bw", zero_avx512},
#else
    [ZERO_SSE2] = {"sse2", NULL},
    [ZERO_AVX2] = {"avx2", NULL},
    [ZERO_AVX512BW] = {"avx512bw", NULL},
#endif
};

static int cpu_has(enum zero_impl impl)
{
	static const enum simd_level need[ZERO_IMPL_COUNT] = {
	    [ZERO_SSE2] = SIMD_SSE2, [ZERO_AVX2] = SIMD_AVX2, [ZERO_AVX512BW] = SIMD_AVX512BW};
	return simd_has(need[impl]);
}

int zero_impl_available(enum zero_impl impl)
{
	if ((unsigned)impl >= ZERO_IMPL_COUNT || !impls[impl].fn)
		return 0;
	return cpu_has(impl);
}

const char *zero_impl_name(enum zero_impl impl)
{
	return (unsigned)impl < ZERO_IMPL_COUNT ? impls[impl].name : "?";
}

/* -1 until the first call; racing first calls store the same value. */
static atomic_int selected = -1;

enum zero_impl zero_impl_selected(void)
{
	int k = atomic_load_explicit(&selected, memory_order_relaxed);
	if (k < 0) {
		for (k = ZERO_IMPL_COUNT - 1; k > ZERO_SCALAR; k--)
			if (zero_impl_available((enum zero_impl)k))
				break;
		atomic_store_explicit(&selected, k, memory_order_relaxed);
	}
	return (enum zero_impl)k;
}

int zero_test(const void *buf, size_t len)
{
	return impls[zero_impl_selected()].fn(buf, len);
}

int zero_test_with(enum zero_impl impl, const void *buf, size_t len)
{
	if (!zero_impl_available(impl))
		return -1;
	return impls[impl].fn(buf, len);
}
