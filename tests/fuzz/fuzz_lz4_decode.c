/*
 * fuzz_lz4_decode — libFuzzer target for the lz4 codec's decoder
 * (encoders/codec_lz4.c), built by tests/fuzz/fuzz.mk with ASan and UBSan;
 * the inputs and the checks are tests/fuzz/fuzz_codec.h's.
 */
#define FUZZ_CODEC "lz4"
#include "fuzz_codec.h"
