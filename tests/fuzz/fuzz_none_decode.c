/*
 * fuzz_none_decode — libFuzzer target for the none codec's decoder
 * (encoders/codec_none.c), built by tests/fuzz/fuzz.mk with ASan and UBSan;
 * the inputs and the checks are tests/fuzz/fuzz_codec.h's.
 */
#define FUZZ_CODEC "none"
#include "fuzz_codec.h"
