/*
 * codec_lz4 — multifd-compression=lz4: migsim's own extension (QEMU has no
 * such method), so users can ask what LZ4 would do before anyone writes it
 * for QEMU. Each packet is one LZ4 block of its pages laid end to end,
 * compressed on its own: no history across packets (a QEMU packet is 512 KiB
 * and LZ4's window 64 KiB, so history would gain little), so a state is
 * only a buffer. LZ4 has no levels (LZ4HC, a separate compressor, has); its
 * acceleration factor, which trades ratio for speed, is not offered as a
 * level either: it stays at 1 (LZ4_compress_default).
 *
 * Adding an encoder: this file and its name in codec.c's CODEC_LIST
 * (docs/encoders.md walks through it with this one).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lz4.h>

#include "codec.h"

extern const struct codec codec_lz4; /* at the end of this file */

static int lz4_open(void **state, int level, size_t page_size, err *e)
{
	(void)page_size;
	*state = NULL;
	if (codec_level_check(&codec_lz4, level, e) < 0)
		return CODEC_ERROR;
	struct codec_buf *b = calloc(1, sizeof *b);
	if (!b) {
		err_set(e, "lz4: out of memory");
		return CODEC_ERROR;
	}
	*state = b;
	return 0;
}

static void lz4_close(void *state)
{
	struct codec_buf *b = state;
	if (!b)
		return;
	codec_buf_free(b);
	free(b);
}

static size_t lz4_bound(size_t n, size_t page_size)
{
	size_t in = n * page_size;
	return in > LZ4_MAX_INPUT_SIZE ? in : (size_t)LZ4_compressBound((int)in);
}

/* LZ4 counts in int: a packet must fit. */
static int lz4_fits(size_t n, size_t page_size, err *e)
{
	if (page_size && n > LZ4_MAX_INPUT_SIZE / page_size) {
		err_set(e, "lz4: a packet of %zu pages of %zu bytes is too large", n, page_size);
		return 0;
	}
	return 1;
}

static long lz4_encode(void *state, const uint8_t *const *old, const uint8_t *const *pages,
		       size_t n, size_t page_size, uint8_t *out, size_t cap, err *e)
{
	struct codec_buf *b = state;
	size_t in = n * page_size;
	(void)old;
	if (!lz4_fits(n, page_size, e))
		return CODEC_ERROR;
	if (in == 0)
		return 0;
	if (codec_buf_reserve(b, in, "lz4", e) < 0)
		return CODEC_ERROR;
	for (size_t i = 0; i < n; i++)
		memcpy(b->p + i * page_size, pages[i], page_size);
	int cap_int = cap > INT_MAX ? INT_MAX : (int)cap;
	int r = LZ4_compress_default((const char *)b->p, (char *)out, (int)in, cap_int);
	return r > 0 ? r : CODEC_DECLINED;
}

static int lz4_decode(void *state, uint8_t *const *pages, size_t n, size_t page_size,
		      const uint8_t *in, size_t in_len, err *e)
{
	struct codec_buf *b = state;
	size_t want = n * page_size;
	if (!lz4_fits(n, page_size, e))
		return CODEC_ERROR;
	if (want == 0) {
		if (in_len == 0)
			return 0;
		err_set(e, "lz4: %zu bytes for no page", in_len);
		return CODEC_ERROR;
	}
	if (in_len > INT_MAX) {
		err_set(e, "lz4: a packet of %zu bytes is too large", in_len);
		return CODEC_ERROR;
	}
	if (codec_buf_reserve(b, want, "lz4", e) < 0)
		return CODEC_ERROR;
	int r = LZ4_decompress_safe((const char *)in, (char *)b->p, (int)in_len, (int)want);
	if (r < 0) {
		err_set(e, "lz4: malformed block (error at byte %d of %zu)", -r - 1, in_len);
		return CODEC_ERROR;
	}
	if ((size_t)r != want) {
		err_set(e, "lz4: packet decompresses to %d bytes, %zu expected", r, want);
		return CODEC_ERROR;
	}
	codec_scatter(pages, n, page_size, b->p);
	return 0;
}

/* Costs: measured by enc_bench (docs/model.md, "Encoder CPU cost"). */
const struct codec codec_lz4 = {
    .name = "lz4",
    .kind = CODEC_PACKET,
    .qemu = 0,
    .level_param = NULL,
    .cost = {.ns_per_call = 700, .ns_per_byte = 3.1, .level_factor = 1, .decode_ns_per_byte = 0.67},
    .open = lz4_open,
    .close = lz4_close,
    .bound = lz4_bound,
    .encode = lz4_encode,
    .decode = lz4_decode,
};
