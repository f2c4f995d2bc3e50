/*
 * content — what the bytes of a page rewritten whole look like: content
 * classes with the compressibility of real memory, generated from (content
 * seed, page, version, class) alone, so a page's bytes need never be stored
 * (guest.c's PROCEDURAL pages) and both sides of a migration make the same
 * ones. content.c says how each class is made and what zlib makes of it.
 */
#ifndef MIGSIM_CONTENT_H
#define MIGSIM_CONTENT_H

#include <stdint.h>

/* CONTENT_RANDOM is 0: the class of a page whose metadata holds none, and
 * the bytes every procedural page had before classes existed. */
enum content_class {
	CONTENT_RANDOM = 0,
	CONTENT_ZERO,
	CONTENT_TEXT,
	CONTENT_CODE,
	CONTENT_HEAP,
	CONTENT_PAGECACHE,
	CONTENT_CLASSES /* how many */
};

/* The class's name as the Lua API spells it ("pagecache-mix", ...). */
const char *content_name(enum content_class c);
/* The class named `name`: 0, or -1 when no class has that name. */
int content_parse(const char *name, enum content_class *out);
/* "zero, random, ...": every name, for messages listing the valid ones. */
const char *content_names(void);

/* Fills out[0 .. ps) (ps a multiple of 8, at least 64) with page `page`'s
 * bytes at `version` in class c. Every class but CONTENT_ZERO leaves byte 0
 * non-zero, so such a page is never all zero. */
void content_fill(enum content_class c, uint64_t seed, uint64_t page, uint32_t version,
		  uint8_t *out, uint32_t ps);

#endif
