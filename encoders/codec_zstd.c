/*
 * codec_zstd — multifd-compression=zstd, as QEMU's migration/multifd-zstd.c:
 * one zstd stream per channel kept across its packets (a frame that never
 * ends), each packet's pages compressed with ZSTD_e_continue and the last
 * with ZSTD_e_flush, so the receiver can decompress the packet whole. Levels
 * are QEMU's multifd-zstd-level, 0 to 20, default 1; like QEMU, level 0 is
 * passed to libzstd, for which it means its default level (3). A state
 * compresses or decompresses, whichever it is first asked to do.
 */
#include <stdlib.h>

#include <zstd.h>

#include "codec.h"

extern const struct codec codec_zstd; /* at the end of this file */

struct zstd_state {
	int level;
	ZSTD_CStream *cs; /* created on the first encode */
	ZSTD_DStream *ds; /* created on the first decode */
	struct codec_buf buf;
};

static int zstd_open(void **state, int level, size_t page_size, err *e)
{
	(void)page_size;
	*state = NULL;
	if (codec_level_check(&codec_zstd, level, e) < 0)
		return CODEC_ERROR;
	struct zstd_state *z = calloc(1, sizeof *z);
	if (!z) {
		err_set(e, "zstd: out of memory");
		return CODEC_ERROR;
	}
	z->level = level;
	*state = z;
	return 0;
}

static void zstd_close(void *state)
{
	struct zstd_state *z = state;
	if (!z)
		return;
	ZSTD_freeCStream(z->cs);
	ZSTD_freeDStream(z->ds);
	codec_buf_free(&z->buf);
	free(z);
}

/* ZSTD_compressBound is for one whole frame; a packet also carries, at
 * most, the frame header (first packet) and the header of the block its
 * flush ends: 64 bytes more covers both. */
static size_t zstd_bound(size_t n, size_t page_size)
{
	return ZSTD_compressBound(n * page_size) + 64;
}

static int zstd_failed(size_t r, const char *what, err *e)
{
	if (!ZSTD_isError(r))
		return 0;
	err_set(e, "zstd: %s: %s", what, ZSTD_getErrorName(r));
	return 1;
}

static int zstd_start_compress(struct zstd_state *z, err *e)
{
	z->cs = ZSTD_createCStream();
	if (!z->cs) {
		err_set(e, "zstd: cannot create a compression stream");
		return CODEC_ERROR;
	}
	if (zstd_failed(ZSTD_CCtx_setParameter(z->cs, ZSTD_c_compressionLevel, z->level), "level",
			e))
		return CODEC_ERROR;
	return 0;
}

static long zstd_encode(void *state, const uint8_t *const *old, const uint8_t *const *pages,
			size_t n, size_t page_size, uint8_t *out, size_t cap, err *e)
{
	struct zstd_state *z = state;
	(void)old;
	if (cap < zstd_bound(n, page_size))
		return CODEC_DECLINED;
	if (!z->cs && zstd_start_compress(z, e) < 0)
		return CODEC_ERROR;
	ZSTD_outBuffer ob = {out, cap, 0};
	for (size_t i = 0; i < n; i++) {
		ZSTD_EndDirective mode = i + 1 == n ? ZSTD_e_flush : ZSTD_e_continue;
		ZSTD_inBuffer ib = {pages[i], page_size, 0};
		size_t left;
		do {
			left = ZSTD_compressStream2(z->cs, &ob, &ib, mode);
			if (zstd_failed(left, "compress", e))
				return CODEC_ERROR;
		} while ((mode == ZSTD_e_flush ? left != 0 : ib.pos < ib.size) && ob.pos < ob.size);
		if (ib.pos < ib.size || (mode == ZSTD_e_flush && left != 0)) {
			err_set(e, "zstd: packet larger than its bound of %zu bytes", cap);
			return CODEC_ERROR;
		}
	}
	return (long)ob.pos;
}

static int zstd_start_decompress(struct zstd_state *z, err *e)
{
	z->ds = ZSTD_createDStream();
	if (!z->ds) {
		err_set(e, "zstd: cannot create a decompression stream");
		return CODEC_ERROR;
	}
	return 0;
}

/* Runs the decoder until the input is used up or it stops making progress
 * (output full). */
static int zstd_run(ZSTD_DStream *ds, ZSTD_outBuffer *ob, ZSTD_inBuffer *ib, err *e)
{
	size_t in_was, out_was;
	do {
		in_was = ib->pos;
		out_was = ob->pos;
		if (zstd_failed(ZSTD_decompressStream(ds, ob, ib), "decompress", e))
			return CODEC_ERROR;
	} while (ib->pos < ib->size && (ib->pos != in_was || ob->pos != out_was));
	return 0;
}

static int zstd_decode(void *state, uint8_t *const *pages, size_t n, size_t page_size,
		       const uint8_t *in, size_t in_len, err *e)
{
	struct zstd_state *z = state;
	size_t want = n * page_size;
	if (codec_buf_reserve(&z->buf, want ? want : 1, "zstd", e) < 0)
		return CODEC_ERROR;
	if (!z->ds && zstd_start_decompress(z, e) < 0)
		return CODEC_ERROR;
	ZSTD_inBuffer ib = {in, in_len, 0};
	ZSTD_outBuffer ob = {z->buf.p, want, 0};
	if (zstd_run(z->ds, &ob, &ib, e) < 0)
		return CODEC_ERROR;
	if (ob.pos < want) {
		err_set(e, "zstd: packet decompresses to %zu bytes, %zu expected", ob.pos, want);
		return CODEC_ERROR;
	}
	/* Bytes beyond the pages, left in the input or held in the decoder,
	 * would land in the next packet's pages. */
	uint8_t extra;
	ZSTD_outBuffer more = {&extra, 1, 0};
	if (ib.pos < ib.size || zstd_run(z->ds, &more, &ib, e) < 0 || more.pos) {
		err_set(e, "zstd: packet holds more than its %zu pages", n);
		return CODEC_ERROR;
	}
	codec_scatter(pages, n, page_size, z->buf.p);
	return 0;
}

/* Costs: measured by enc_bench and fitted through levels 1, 9 and 19
 * (docs/model.md, "Encoder CPU cost"); level 0 is libzstd's 3, which costs
 * more than the fit says. */
const struct codec codec_zstd = {
    .name = "zstd",
    .kind = CODEC_PACKET,
    .qemu = 1,
    .level_param = "multifd-zstd-level",
    .level_min = 0,
    .level_max = 20,
    .level_default = 1,
    .cost = {.ns_per_call = 4400,
	     .ns_per_byte = 3.43,
	     .level_factor = 1.345,
	     .decode_ns_per_byte = 1.75},
    .open = zstd_open,
    .close = zstd_close,
    .bound = zstd_bound,
    .encode = zstd_encode,
    .decode = zstd_decode,
};
