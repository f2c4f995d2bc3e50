/*
 * fuzz_zlib_decode — libFuzzer target for the zlib codec's decoder
 * (encoders/codec_zlib.c), built by tests/fuzz/fuzz.mk with ASan and UBSan;
 * the inputs and the checks are tests/fuzz/fuzz_codec.h's.
 */
#define FUZZ_CODEC "zlib"
#include "fuzz_codec.h"
