/*
 * codec — the table of page encoders (codec.h), the cost model and the
 * helpers they share. Adding an encoder is its file, codec_NAME.c, plus its
 * name in CODEC_LIST (docs/encoders.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* The table: one X(name) an encoder, whose file codec_NAME.c defines
 * `const struct codec codec_NAME`. Order is the order of listings. */
#define CODEC_LIST(X) X(none) X(zlib) X(zstd) X(lz4) X(xbzrle) X(zero)

#define CODEC_EXTERN(name) extern const struct codec codec_##name;
#define CODEC_ENTRY(name)  &codec_##name,
CODEC_LIST(CODEC_EXTERN)
static const struct codec *const codec_table[] = {CODEC_LIST(CODEC_ENTRY)};

#define CODEC_TABLE_LEN (sizeof codec_table / sizeof codec_table[0])

const struct codec *codec_find(const char *name)
{
	for (size_t i = 0; name && i < CODEC_TABLE_LEN; i++)
		if (strcmp(codec_table[i]->name, name) == 0)
			return codec_table[i];
	return NULL;
}

size_t codec_count(void)
{
	return CODEC_TABLE_LEN;
}

const struct codec *codec_at(size_t i)
{
	return i < CODEC_TABLE_LEN ? codec_table[i] : NULL;
}

double codec_encode_cost(const struct codec *c, const struct codec_cost *cost, int level,
			 size_t in_bytes)
{
	if (!cost)
		cost = &c->cost;
	if (level < c->level_min)
		level = c->level_min;
	if (level > c->level_max)
		level = c->level_max;
	double per_byte = cost->ns_per_byte * pow(cost->level_factor, level - c->level_min);
	return cost->ns_per_call + per_byte * (double)in_bytes;
}

int codec_buf_reserve(struct codec_buf *b, size_t len, const char *who, err *e)
{
	if (len <= b->cap)
		return 0;
	uint8_t *p = realloc(b->p, len);
	if (!p) {
		err_set(e, "%s: out of memory for a %zu-byte buffer", who, len);
		return CODEC_ERROR;
	}
	b->p = p;
	b->cap = len;
	return 0;
}

void codec_buf_free(struct codec_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->cap = 0;
}

int codec_level_check(const struct codec *c, int level, err *e)
{
	if (level >= c->level_min && level <= c->level_max)
		return 0;
	err_set(e, "%s: level %d is not in %d..%d", c->name, level, c->level_min, c->level_max);
	return CODEC_ERROR;
}

void codec_scatter(uint8_t *const *pages, size_t n, size_t page_size, const uint8_t *from)
{
	for (size_t i = 0; i < n; i++)
		memcpy(pages[i], from + i * page_size, page_size);
}
