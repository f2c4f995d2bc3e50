/*
 * fuzz — what the libFuzzer targets in tests/fuzz/ share: the entry point's
 * prototype and REQUIRE, a check that stops the fuzzer with a crash it
 * records (assert() vanishes under NDEBUG; a trap never does).
 */
#ifndef MIGSIM_FUZZ_H
#define MIGSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

#endif
