/*
 * codec_zlib — multifd-compression=zlib, as QEMU's migration/multifd-zlib.c:
 * one deflate stream per channel kept across its packets, each packet's
 * pages deflated in order and the packet ended with Z_SYNC_FLUSH, so the
 * receiver can inflate it whole while the dictionary carries over to the
 * next. Levels are QEMU's multifd-zlib-level: 0 (stored) to 9, default 1.
 * A state deflates or inflates, whichever it is first asked to do.
 */
#include <limits.h>
#include <stdlib.h>

#define ZLIB_CONST
#include <zlib.h>

#include "codec.h"

extern const struct codec codec_zlib; /* at the end of this file */

struct zlib_state {
	int level;
	int deflating, inflating; /* which of the streams is initialised */
	z_stream def, inf;
	struct codec_buf buf; /* a packet inflated before its pages are written */
};

static int zlib_open(void **state, int level, size_t page_size, err *e)
{
	(void)page_size;
	*state = NULL;
	if (codec_level_check(&codec_zlib, level, e) < 0)
		return CODEC_ERROR;
	struct zlib_state *z = calloc(1, sizeof *z);
	if (!z) {
		err_set(e, "zlib: out of memory");
		return CODEC_ERROR;
	}
	z->level = level;
	*state = z;
	return 0;
}

static void zlib_close(void *state)
{
	struct zlib_state *z = state;
	if (!z)
		return;
	if (z->deflating)
		deflateEnd(&z->def);
	if (z->inflating)
		inflateEnd(&z->inf);
	codec_buf_free(&z->buf);
	free(z);
}

/* deflate's own bound is per stream, not per flushed packet: a stored block
 * costs 5 bytes per 16 KiB at worst, the sync flush 5 and the stream's
 * header 2; 16 bytes per 4 KiB plus 64 covers them with room to spare. */
static size_t zlib_bound(size_t n, size_t page_size)
{
	size_t in = n * page_size;
	return in + in / 256 + 64;
}

/* zlib counts in uInt: a packet and its bound must fit. */
static int zlib_fits(size_t n, size_t page_size, err *e)
{
	if (page_size && n > (UINT_MAX / 2) / page_size) {
		err_set(e, "zlib: a packet of %zu pages of %zu bytes is too large", n, page_size);
		return 0;
	}
	return 1;
}

static long zlib_encode(void *state, const uint8_t *const *old, const uint8_t *const *pages,
			size_t n, size_t page_size, uint8_t *out, size_t cap, err *e)
{
	struct zlib_state *z = state;
	(void)old;
	if (!zlib_fits(n, page_size, e))
		return CODEC_ERROR;
	if (cap < zlib_bound(n, page_size))
		return CODEC_DECLINED;
	if (!z->deflating) {
		if (deflateInit(&z->def, z->level) != Z_OK) {
			err_set(e, "zlib: deflateInit failed at level %d", z->level);
			return CODEC_ERROR;
		}
		z->deflating = 1;
	}
	z->def.next_out = out;
	z->def.avail_out = (uInt)zlib_bound(n, page_size);
	for (size_t i = 0; i < n; i++) {
		z->def.next_in = pages[i];
		z->def.avail_in = (uInt)page_size;
		int ret = deflate(&z->def, i + 1 == n ? Z_SYNC_FLUSH : Z_NO_FLUSH);
		if (ret != Z_OK || z->def.avail_in || !z->def.avail_out) {
			err_set(e, "zlib: deflate returned %d with %u bytes left to compress", ret,
				z->def.avail_in);
			return CODEC_ERROR;
		}
	}
	return (long)(z->def.next_out - out);
}

static int zlib_decode(void *state, uint8_t *const *pages, size_t n, size_t page_size,
		       const uint8_t *in, size_t in_len, err *e)
{
	struct zlib_state *z = state;
	size_t want = n * page_size;
	if (!zlib_fits(n, page_size, e))
		return CODEC_ERROR;
	if (in_len > UINT_MAX) {
		err_set(e, "zlib: a packet of %zu bytes is too large", in_len);
		return CODEC_ERROR;
	}
	if (want == 0) {
		if (in_len == 0)
			return 0;
		err_set(e, "zlib: %zu bytes for no page", in_len);
		return CODEC_ERROR;
	}
	if (codec_buf_reserve(&z->buf, want, "zlib", e) < 0)
		return CODEC_ERROR;
	if (!z->inflating) {
		if (inflateInit(&z->inf) != Z_OK) {
			err_set(e, "zlib: inflateInit failed");
			return CODEC_ERROR;
		}
		z->inflating = 1;
	}
	z->inf.next_in = in;
	z->inf.avail_in = (uInt)in_len;
	z->inf.next_out = z->buf.p;
	z->inf.avail_out = (uInt)want;
	int ret = inflate(&z->inf, Z_SYNC_FLUSH);
	if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
		err_set(e, "zlib: inflate returned %d (%s)", ret,
			z->inf.msg ? z->inf.msg : "no message");
		return CODEC_ERROR;
	}
	if (z->inf.avail_out) {
		err_set(e, "zlib: packet inflates to %zu bytes, %zu expected",
			want - z->inf.avail_out, want);
		return CODEC_ERROR;
	}
	if (z->inf.avail_in) {
		err_set(e, "zlib: %u bytes of the packet left after its %zu pages", z->inf.avail_in,
			n);
		return CODEC_ERROR;
	}
	codec_scatter(pages, n, page_size, z->buf.p);
	return 0;
}

/* Costs: measured by enc_bench and fitted through levels 1 and 9 (docs/model.md,
 * "Encoder CPU cost"); level 0, stored blocks, costs far less than the fit. */
const struct codec codec_zlib = {
    .name = "zlib",
    .kind = CODEC_PACKET,
    .qemu = 1,
    .level_param = "multifd-zlib-level",
    .level_min = 0,
    .level_max = 9,
    .level_default = 1,
    .cost = {.ns_per_call = 40000,
	     .ns_per_byte = 10.0,
	     .level_factor = 1.443,
	     .decode_ns_per_byte = 4.8},
    .open = zlib_open,
    .close = zlib_close,
    .bound = zlib_bound,
    .encode = zlib_encode,
    .decode = zlib_decode,
};
