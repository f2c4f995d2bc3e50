/* simd — CPU feature checks for the encoders' dispatch (see simd.h). */
#include "simd.h"

#if defined(__x86_64__) && !defined(ENC_NO_SIMD)
int simd_has(enum simd_level level)
{
	__builtin_cpu_init();
	switch (level) {
	case SIMD_AVX2:
		return __builtin_cpu_supports("avx2") != 0;
	case SIMD_AVX512BW:
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
	default:
		return 1;
	}
}
#else
int simd_has(enum simd_level level)
{
	return level == SIMD_NONE;
}
#endif
