/*
 * codec — one interface for the encoders of page bytes: packet compressors
 * (none, zlib, zstd, lz4), a page delta (xbzrle, which needs the page's
 * previous bytes) and a page test (zero: a zero page encodes to nothing, any
 * other is declined). The migration model picks one by name (codec_find),
 * opens a state per channel (zlib and zstd keep their history across the
 * packets of one channel, as QEMU's multifd_zlib/zstd do), encodes real
 * bytes with it and charges the simulated CPU time codec_encode_cost gives,
 * never the wall clock. docs/encoders.md says how to add one.
 */
#ifndef MIGSIM_CODEC_H
#define MIGSIM_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum codec_kind { CODEC_PACKET, CODEC_DELTA, CODEC_TEST };

#define CODEC_DECLINED (-1) /* this page/packet cannot be encoded (overflow, not zero) */
#define CODEC_ERROR    (-2) /* e filled: library failure, malformed input */

struct codec_cost {	     /* simulated CPU time, deterministic (never the wall clock) */
	double ns_per_call;  /* per encode call (a packet, or a page) */
	double ns_per_byte;  /* per input byte at level_min */
	double level_factor; /* ns_per_byte multiplies by level_factor^(level - level_min) */
	double decode_ns_per_byte;
};

struct codec {
	const char *name; /* "none", "zlib", "zstd", "lz4", "xbzrle", "zero" */
	enum codec_kind kind;
	int qemu;		 /* 1: QEMU has this method under this name; 0: migsim's own */
	const char *level_param; /* "multifd-zlib-level", or NULL when it has no levels */
	int level_min, level_max, level_default; /* all 0 when it has no levels */
	struct codec_cost cost; /* defaults; docs/model.md says where they came from */
	/* Per-channel (per-stream) state: zlib/zstd keep their history across
	 * the packets of one channel, as QEMU's multifd_zlib/zstd do. open
	 * returns 0, or CODEC_ERROR with e filled (a level outside
	 * level_min..level_max, out of memory); *state may be NULL for a codec
	 * without state. close accepts what open gave, NULL included. */
	int (*open)(void **state, int level, size_t page_size, err *e);
	void (*close)(void *state);
	/* Worst-case output for n pages of page_size (what `cap` must be). */
	size_t (*bound)(size_t n, size_t page_size);
	/* Encodes n pages (pages[i], page_size bytes each; old[i] their previous
	 * bytes for CODEC_DELTA, else old == NULL) as one unit into out[0..cap):
	 * bytes written, CODEC_DECLINED, or CODEC_ERROR. */
	long (*encode)(void *state, const uint8_t *const *old, const uint8_t *const *pages,
		       size_t n, size_t page_size, uint8_t *out, size_t cap, err *e);
	/* The inverse, on the destination's own state: pages[i] hold the old
	 * bytes for CODEC_DELTA. 0, or CODEC_ERROR (e says why; pages untouched
	 * where the library allows it) on malformed input. */
	int (*decode)(void *state, uint8_t *const *pages, size_t n, size_t page_size,
		      const uint8_t *in, size_t in_len, err *e);
};

const struct codec *codec_find(const char *name); /* NULL if unknown */
size_t codec_count(void);
const struct codec *codec_at(size_t i); /* NULL when i >= codec_count() */
/* Simulated ns to encode in_bytes at level (the cost model above, with the
 * user's overrides from params when given: cost NULL means c->cost). A
 * level outside the codec's range counts as the nearest end of it. */
double codec_encode_cost(const struct codec *c, const struct codec_cost *cost, int level,
			 size_t in_bytes);

/* --- for the codecs' own files ------------------------------------------ */

/* A buffer a codec's state keeps between calls, grown on demand: where a
 * packet is decoded before its pages are written, so a malformed packet
 * leaves them untouched. */
struct codec_buf {
	uint8_t *p;
	size_t cap;
};

/* 0 when b holds at least len bytes, else CODEC_ERROR (out of memory). */
int codec_buf_reserve(struct codec_buf *b, size_t len, const char *who, err *e);
void codec_buf_free(struct codec_buf *b);
/* 0 when level is in c's range, else CODEC_ERROR saying the range. */
int codec_level_check(const struct codec *c, int level, err *e);
/* Copies from[0 .. n * page_size) into the n pages. */
void codec_scatter(uint8_t *const *pages, size_t n, size_t page_size, const uint8_t *from);

#endif
