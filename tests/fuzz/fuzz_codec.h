/*
 * fuzz_codec — the body of the libFuzzer targets for the packet codecs'
 * decoders (encoders/codec.h): each target, fuzz_NAME_decode.c, defines
 * FUZZ_CODEC as the codec's name and includes this file.
 *
 * Input byte 0 picks the mode and the level (levels from the lowest up to
 * four above it: zstd's highest levels take hundreds of MiB a stream), byte
 * 1 the page count (1-8), byte 2 the page size (8-4096 bytes); the rest is
 * the data:
 *   mode 0: the data is a packet, decoded on a fresh state;
 *   mode 1: the same, on a stream that has decoded a valid packet first
 *           (zlib and zstd keep history across a channel's packets);
 *   mode 2: the data, repeated to fill the pages, is encoded as two packets
 *           on one stream, which must decode back on another.
 * A rejected packet must say why and leave the pages untouched. Every
 * buffer is malloc'ed to its exact size so ASan sees any stray byte; a
 * broken property calls __builtin_trap(), which libFuzzer reports.
 */
#ifndef MIGSIM_FUZZ_CODEC_H
#define MIGSIM_FUZZ_CODEC_H

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz.h"

struct fuzz_case {
	const struct codec *c;
	int level;
	size_t n, ps;
	uint8_t **pages;
};

static uint8_t **fuzz_pages(size_t n, size_t ps, const uint8_t *d, size_t dl)
{
	uint8_t **p = malloc(n * sizeof *p);
	REQUIRE(p);
	for (size_t i = 0; i < n; i++) {
		p[i] = malloc(ps);
		REQUIRE(p[i]);
		for (size_t b = 0; b < ps; b++)
			p[i][b] = dl ? d[(i * ps + b) % dl] : 0;
	}
	return p;
}

static void fuzz_free_pages(uint8_t **p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i]);
	free(p);
}

static void *fuzz_open(const struct fuzz_case *fc)
{
	void *st;
	err e;
	REQUIRE(fc->c->open(&st, fc->level, fc->ps, &e) == 0);
	return st;
}

/* Encodes the case's pages on st: the packet, malloc'ed to its size. */
static uint8_t *fuzz_encode(const struct fuzz_case *fc, void *st, size_t *len)
{
	size_t cap = fc->c->bound(fc->n, fc->ps);
	uint8_t *out = malloc(cap ? cap : 1);
	REQUIRE(out);
	err e;
	long r =
	    fc->c->encode(st, NULL, (const uint8_t *const *)fc->pages, fc->n, fc->ps, out, cap, &e);
	REQUIRE(r >= 0 && (size_t)r <= cap);
	uint8_t *pkt = malloc(r ? (size_t)r : 1);
	REQUIRE(pkt);
	memcpy(pkt, out, (size_t)r);
	free(out);
	*len = (size_t)r;
	return pkt;
}

/* Decodes d on st into pages filled with 0xa5: rejected with a message and
 * the pages untouched (CODEC_ERROR), or accepted (0). */
static int fuzz_decode(const struct fuzz_case *fc, void *st, const uint8_t *d, size_t dl)
{
	uint8_t *pkt = malloc(dl ? dl : 1);
	REQUIRE(pkt);
	if (dl)
		memcpy(pkt, d, dl);
	uint8_t **got = fuzz_pages(fc->n, fc->ps, NULL, 0);
	for (size_t i = 0; i < fc->n; i++)
		memset(got[i], 0xa5, fc->ps);
	err e;
	e.msg[0] = '\0';
	int r = fc->c->decode(st, got, fc->n, fc->ps, pkt, dl, &e);
	REQUIRE(r == 0 || r == CODEC_ERROR);
	if (r == CODEC_ERROR) {
		REQUIRE(e.msg[0] != '\0');
		for (size_t i = 0; i < fc->n; i++)
			for (size_t b = 0; b < fc->ps; b++)
				REQUIRE(got[i][b] == 0xa5);
	}
	fuzz_free_pages(got, fc->n);
	free(pkt);
	return r;
}

static void fuzz_round_trip(const struct fuzz_case *fc)
{
	void *enc = fuzz_open(fc), *dec = fuzz_open(fc);
	for (int k = 0; k < 2; k++) {
		size_t len;
		uint8_t *pkt = fuzz_encode(fc, enc, &len);
		uint8_t **got = fuzz_pages(fc->n, fc->ps, NULL, 0);
		err e;
		REQUIRE(fc->c->decode(dec, got, fc->n, fc->ps, pkt, len, &e) == 0);
		for (size_t i = 0; i < fc->n; i++)
			REQUIRE(memcmp(got[i], fc->pages[i], fc->ps) == 0);
		fuzz_free_pages(got, fc->n);
		free(pkt);
	}
	fc->c->close(enc);
	fc->c->close(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	struct fuzz_case fc = {.c = codec_find(FUZZ_CODEC)};
	REQUIRE(fc.c && fc.c->kind != CODEC_DELTA);
	int span = fc.c->level_max - fc.c->level_min + 1;
	fc.level = fc.c->level_min + (data[0] / 3) % (span < 5 ? span : 5);
	fc.n = 1 + data[1] % 8;
	fc.ps = 8 * (1 + (size_t)data[2] % 512);
	const uint8_t *d = data + 3;
	size_t dl = size - 3;
	fc.pages = fuzz_pages(fc.n, fc.ps, d, dl);
	int mode = data[0] % 3;
	if (mode == 2 && fc.c->kind == CODEC_PACKET) {
		fuzz_round_trip(&fc);
	} else {
		void *dec = fuzz_open(&fc);
		if (mode == 1 && fc.c->kind == CODEC_PACKET) {
			void *enc = fuzz_open(&fc);
			size_t len;
			uint8_t *pkt = fuzz_encode(&fc, enc, &len);
			REQUIRE(fuzz_decode(&fc, dec, pkt, len) == 0);
			free(pkt);
			fc.c->close(enc);
		}
		fuzz_decode(&fc, dec, d, dl);
		fc.c->close(dec);
	}
	fuzz_free_pages(fc.pages, fc.n);
	return 0;
}

#endif
