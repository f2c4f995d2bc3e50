/*
 * codec_xbzrle — XBZRLE (encoders/xbzrle.h) behind the codec interface: a
 * page delta (CODEC_DELTA), one page a call (n == 1), against the page's
 * previous bytes. As in QEMU's save_xbzrle_page, the delta may be no longer
 * than the page (bound): a longer one is declined and the page goes whole.
 * No state and no levels. sim/mig.c still calls xbz_encode directly.
 */
#include "codec.h"
#include "xbzrle.h"

extern const struct codec codec_xbzrle; /* at the end of this file */

static int xbzrle_open(void **state, int level, size_t page_size, err *e)
{
	(void)page_size;
	*state = NULL;
	return codec_level_check(&codec_xbzrle, level, e);
}

static void xbzrle_close(void *state)
{
	(void)state;
}

static size_t xbzrle_bound(size_t n, size_t page_size)
{
	return n * page_size;
}

static int xbzrle_one_page(size_t n, err *e)
{
	if (n == 1)
		return 1;
	err_set(e, "xbzrle: encodes one page a call, not %zu", n);
	return 0;
}

static long xbzrle_encode(void *state, const uint8_t *const *old, const uint8_t *const *pages,
			  size_t n, size_t page_size, uint8_t *out, size_t cap, err *e)
{
	(void)state;
	if (!xbzrle_one_page(n, e))
		return CODEC_ERROR;
	if (!old) {
		err_set(e, "xbzrle: no previous bytes to encode against");
		return CODEC_ERROR;
	}
	int r = xbz_encode(old[0], pages[0], page_size, out, cap);
	return r < 0 ? CODEC_DECLINED : r;
}

static int xbzrle_decode(void *state, uint8_t *const *pages, size_t n, size_t page_size,
			 const uint8_t *in, size_t in_len, err *e)
{
	(void)state;
	if (!xbzrle_one_page(n, e))
		return CODEC_ERROR;
	const char *why = NULL;
	if (xbz_decode(pages[0], page_size, in, in_len, &why) < 0) {
		err_set(e, "xbzrle: %s", why ? why : "malformed delta");
		return CODEC_ERROR;
	}
	return 0;
}

/* Costs: the model's xbzrle-encode-cost default (sim/params.c), so a run
 * charges the same through either path; docs/model.md, "Encoder CPU cost". */
const struct codec codec_xbzrle = {
    .name = "xbzrle",
    .kind = CODEC_DELTA,
    .qemu = 1,
    .level_param = NULL,
    .cost = {.ns_per_call = 0, .ns_per_byte = 0.25, .level_factor = 1, .decode_ns_per_byte = 0.25},
    .open = xbzrle_open,
    .close = xbzrle_close,
    .bound = xbzrle_bound,
    .encode = xbzrle_encode,
    .decode = xbzrle_decode,
};
