/*
 * codec — the table of page encoders (codec.h) and the cost model they
 * share. Adding an encoder is its file, codec_NAME.c, plus one line in
 * codec_table and one extern in codec.h.
 */
#include <math.h>
#include <string.h>

#include "codec.h"

static const struct codec *const codec_table[] = {
    &codec_none,
};

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
