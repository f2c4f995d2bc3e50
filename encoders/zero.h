/*
 * zero — is a buffer all zero bytes? The migration thread asks this of every
 * page it sends (QEMU's buffer_is_zero): a zero page goes as a 1-byte flag.
 * Like xbzrle.h, every implementation gives the same answer and the
 * fastest one this CPU has is chosen once, on first use.
 */
#ifndef MIGSIM_ZERO_H
#define MIGSIM_ZERO_H

#include <stddef.h>

enum zero_impl {
	ZERO_SCALAR, /* 8 bytes at a time, portable C */
	ZERO_SSE2,   /* x86-64 only */
	ZERO_AVX2,
	ZERO_AVX512BW,
	ZERO_IMPL_COUNT
};

/* 1 when all len bytes at buf are zero (any len, 0 included; any
 * alignment), else 0. */
int zero_test(const void *buf, size_t len);
/* The same with a given implementation; -1 if it cannot run here. */
int zero_test_with(enum zero_impl impl, const void *buf, size_t len);

/* 1 when impl can run here (compiled in and the CPU has the instructions). */
int zero_impl_available(enum zero_impl impl);
/* "scalar", "sse2", "avx2", "avx512bw"; "?" if unknown. */
const char *zero_impl_name(enum zero_impl impl);
/* The implementation zero_test() uses. */
enum zero_impl zero_impl_selected(void);

#endif
