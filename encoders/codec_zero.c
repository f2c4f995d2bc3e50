/*
 * codec_zero — the zero-page test (encoders/zero.h) behind the codec
 * interface (CODEC_TEST): pages that are all zero encode to nothing, any
 * other is declined (it goes by another codec). Decoding nothing zeroes the
 * pages, as the destination does with a zero page. No state, no levels.
 * sim/mig.c still calls zero_test directly.
 */
#include <string.h>

#include "codec.h"
#include "zero.h"

extern const struct codec codec_zero; /* at the end of this file */

static int zero_open(void **state, int level, size_t page_size, err *e)
{
	(void)page_size;
	*state = NULL;
	return codec_level_check(&codec_zero, level, e);
}

static void zero_close(void *state)
{
	(void)state;
}

static size_t zero_bound(size_t n, size_t page_size)
{
	(void)n;
	(void)page_size;
	return 0;
}

static long zero_encode(void *state, const uint8_t *const *old, const uint8_t *const *pages,
			size_t n, size_t page_size, uint8_t *out, size_t cap, err *e)
{
	(void)state;
	(void)old;
	(void)out;
	(void)cap;
	(void)e;
	for (size_t i = 0; i < n; i++)
		if (!zero_test(pages[i], page_size))
			return CODEC_DECLINED;
	return 0;
}

static int zero_decode(void *state, uint8_t *const *pages, size_t n, size_t page_size,
		       const uint8_t *in, size_t in_len, err *e)
{
	(void)state;
	(void)in;
	if (in_len) {
		err_set(e, "zero: %zu bytes where a zero page has none", in_len);
		return CODEC_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		memset(pages[i], 0, page_size);
	return 0;
}

/* Costs: the model's zero-scan-cost default (sim/params.c: memory-bound, a
 * zero page read whole); decoding is a memset, taken as none's decode;
 * docs/model.md, "Encoder CPU cost". */
const struct codec codec_zero = {
    .name = "zero",
    .kind = CODEC_TEST,
    .qemu = 1,
    .level_param = NULL,
    .cost = {.ns_per_call = 0, .ns_per_byte = 0.14, .level_factor = 1, .decode_ns_per_byte = 0.045},
    .open = zero_open,
    .close = zero_close,
    .bound = zero_bound,
    .encode = zero_encode,
    .decode = zero_decode,
};
