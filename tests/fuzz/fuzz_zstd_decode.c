/*
 * fuzz_zstd_decode — libFuzzer target for the zstd codec's decoder
 * (encoders/codec_zstd.c), built by tests/fuzz/fuzz.mk with ASan and UBSan;
 * the inputs and the checks are tests/fuzz/fuzz_codec.h's.
 */
#define FUZZ_CODEC "zstd"
#include "fuzz_codec.h"
