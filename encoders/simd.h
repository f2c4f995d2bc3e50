/*
 * simd — which x86-64 vector instruction sets this CPU has, asked once by
 * each encoder's run-time dispatch (xbzrle.c, zero.c). SSE2 is the x86-64
 * floor; on other machines only SIMD_NONE is available.
 */
#ifndef MIGSIM_SIMD_H
#define MIGSIM_SIMD_H

enum simd_level { SIMD_NONE, SIMD_SSE2, SIMD_AVX2, SIMD_AVX512BW };

/* 1 when the CPU can run code built for `level`. */
int simd_has(enum simd_level level);

#endif
