/*
 * fuzz_zero_decode — libFuzzer target for the zero codec's decoder
 * (encoders/codec_zero.c), built by tests/fuzz/fuzz.mk with ASan and UBSan;
 * the inputs and the checks are tests/fuzz/fuzz_codec.h's.
 */
#define FUZZ_CODEC "zero"
#include "fuzz_codec.h"
