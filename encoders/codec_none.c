/*
 * codec_none — multifd-compression=none: a packet's pages go as they are,
 * one after the other. It has no state and no levels; the other packet
 * codecs' tests use it as the baseline.
 */
#include <string.h>

#include "codec.h"

extern const struct codec codec_none; /* at the end of this file */

static int none_open(void **state, int level, size_t page_size, err *e)
{
	(void)level;
	(void)page_size;
	(void)e;
	*state = NULL;
	return 0;
}

static void none_close(void *state)
{
	(void)state;
}

static size_t none_bound(size_t n, size_t page_size)
{
	return n * page_size;
}

static long none_encode(void *state, const uint8_t *const *old, const uint8_t *const *pages,
			size_t n, size_t page_size, uint8_t *out, size_t cap, err *e)
{
	(void)state;
	(void)old;
	(void)e;
	if (cap < n * page_size)
		return CODEC_DECLINED;
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * page_size, pages[i], page_size);
	return (long)(n * page_size);
}

static int none_decode(void *state, uint8_t *const *pages, size_t n, size_t page_size,
		       const uint8_t *in, size_t in_len, err *e)
{
	(void)state;
	if (in_len != n * page_size) {
		err_set(e, "none: packet of %zu bytes for %zu pages of %zu", in_len, n, page_size);
		return CODEC_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(pages[i], in + i * page_size, page_size);
	return 0;
}

/* Costs: a copy, measured by enc_bench (docs/model.md, "Encoder CPU cost"). */
const struct codec codec_none = {
    .name = "none",
    .kind = CODEC_PACKET,
    .qemu = 1,
    .level_param = NULL,
    .cost = {.ns_per_call = 0, .ns_per_byte = 0.09, .level_factor = 1, .decode_ns_per_byte = 0.045},
    .open = none_open,
    .close = none_close,
    .bound = none_bound,
    .encode = none_encode,
    .decode = none_decode,
};
