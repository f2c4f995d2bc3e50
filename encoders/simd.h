/*
 * simd — which x86-64 vector instruction sets this CPU has, asked once by
 * each encoder's run-time dispatch (xbzrle.c, zero.c). SSE2 is the x86-64
 * floor; on other machines only SIMD_NONE is available. Also the one
 * prefetch of a page's bytes that the page cache and the guest model share.
 */
#ifndef MIGSIM_SIMD_H
#define MIGSIM_SIMD_H

#include <stddef.h>

enum simd_level { SIMD_NONE, SIMD_SSE2, SIMD_AVX2, SIMD_AVX512BW };

/* 1 when the CPU can run code built for `level`. */
int simd_has(enum simd_level level);

/* Asks the CPU to start loading the first n bytes at p, at most 4 KiB of
 * them: past that its own prefetcher streams the rest. A hint only. */
static inline void simd_prefetch(const void *p, size_t n)
{
	const char *b = p;
	for (size_t i = 0; i < n && i < 4096; i += 64)
		__builtin_prefetch(b + i);
}

#endif
