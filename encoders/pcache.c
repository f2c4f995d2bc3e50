/*
 * pcache — the direct-mapped XBZRLE page cache (semantics: pcache.h). Slot
 * metadata and page bytes are two calloc'ed arrays; an empty slot is a zero
 * tag (tag = page + 1), so neither array needs touching at creation and a
 * big cache costs only the pages actually inserted.
 */
#include <stdlib.h>
#include <string.h>

#include "pcache.h"
#include "simd.h"
#include "xbzrle.h"

#define LIFETIME 2 /* QEMU's CACHED_PAGE_LIFETIME, in generations */

struct slot {
	uint64_t tag; /* page + 1; 0 = empty */
	uint64_t age;
};

struct pcache {
	uint64_t nslots; /* a power of two */
	uint32_t page_size;
	struct slot *slot;
	uint8_t *data; /* nslots * page_size */
	struct pcache_stats st;
};

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -1;
}

/* The power-of-two slot count for size_bytes, or 0 when less than a page. */
static uint64_t slots_for(uint64_t size_bytes, uint32_t page_size)
{
	uint64_t pages = size_bytes / page_size;
	if (pages == 0)
		return 0;
	return 1ULL << (63 - __builtin_clzll(pages));
}

/* Allocates the arrays of a table of n slots; 0 or -1 with *why set. */
static int alloc_table(uint64_t n, uint32_t page_size, struct slot **slot, uint8_t **data,
		       const char **why)
{
	if (n > SIZE_MAX / page_size || n > SIZE_MAX / sizeof(struct slot))
		return fail(why, "page cache size too large for this machine");
	*slot = calloc((size_t)n, sizeof(struct slot));
	*data = calloc((size_t)n, page_size);
	if (!*slot || !*data) {
		free(*slot);
		free(*data);
		return fail(why, "out of memory for the page cache");
	}
	return 0;
}

int pcache_new(pcache **out, uint64_t size_bytes, uint32_t page_size, const char **why)
{
	*out = NULL;
	if (page_size == 0)
		return fail(why, "page cache page size is 0");
	uint64_t n = slots_for(size_bytes, page_size);
	if (n == 0)
		return fail(why, "page cache size is smaller than one page");
	pcache *c = calloc(1, sizeof *c);
	if (!c)
		return fail(why, "out of memory for the page cache");
	if (alloc_table(n, page_size, &c->slot, &c->data, why) < 0) {
		free(c);
		return -1;
	}
	c->nslots = n;
	c->page_size = page_size;
	*out = c;
	return 0;
}

void pcache_free(pcache *c)
{
	if (!c)
		return;
	free(c->slot);
	free(c->data);
	free(c);
}

static uint8_t *slot_bytes(const pcache *c, uint64_t s)
{
	return c->data + (size_t)s * c->page_size;
}

/* The slot page lives in when the cache holds it, else -1. */
static int64_t slot_of(const pcache *c, uint64_t page)
{
	uint64_t s = page & (c->nslots - 1);
	return page != UINT64_MAX && c->slot[s].tag == page + 1 ? (int64_t)s : -1;
}

void pcache_prefetch(const pcache *c, uint64_t page)
{
	int64_t s = slot_of(c, page);
	if (s < 0)
		return;
	simd_prefetch(slot_bytes(c, (uint64_t)s), c->page_size);
}

const uint8_t *pcache_lookup(pcache *c, uint64_t page, uint64_t age)
{
	int64_t s = slot_of(c, page);
	if (s < 0) {
		c->st.misses++;
		return NULL;
	}
	c->st.hits++;
	c->slot[s].age = age;
	return slot_bytes(c, s);
}

/* QEMU's test, it_age + LIFETIME > current_age, without its overflow. */
static int still_fresh(uint64_t entry_age, uint64_t age)
{
	return entry_age > age || age - entry_age < LIFETIME;
}

int pcache_insert(pcache *c, uint64_t page, const uint8_t *bytes, uint64_t age)
{
	uint64_t s = page & (c->nslots - 1);
	struct slot *e = &c->slot[s];
	if (page == UINT64_MAX)
		return -1;
	if (e->tag && e->tag != page + 1) {
		if (still_fresh(e->age, age)) {
			c->st.refused++;
			return -1;
		}
		c->st.evictions++;
	}
	memcpy(slot_bytes(c, s), bytes, c->page_size);
	e->tag = page + 1;
	e->age = age;
	c->st.inserts++;
	return 0;
}

int pcache_apply_delta(pcache *c, uint64_t page, const uint8_t *delta, size_t delta_len,
		       uint64_t age, const char **why)
{
	int64_t s = slot_of(c, page);
	if (s < 0)
		return fail(why, "page not in the cache");
	if (xbz_decode(slot_bytes(c, s), c->page_size, delta, delta_len, why) < 0)
		return -1;
	c->slot[s].age = age;
	c->st.inserts++;
	return 0;
}

int pcache_resize(pcache *c, uint64_t size_bytes, const char **why)
{
	uint64_t n = slots_for(size_bytes, c->page_size);
	if (n == 0)
		return fail(why, "page cache size is smaller than one page");
	if (n == c->nslots)
		return 0;
	struct slot *slot;
	uint8_t *data;
	if (alloc_table(n, c->page_size, &slot, &data, why) < 0)
		return -1;
	/* In old slot order, so that on equal ages the lower old slot wins. */
	for (uint64_t s = 0; s < c->nslots; s++) {
		const struct slot *e = &c->slot[s];
		if (!e->tag)
			continue;
		uint64_t t = (e->tag - 1) & (n - 1);
		if (slot[t].tag && slot[t].age >= e->age)
			continue;
		slot[t] = *e;
		memcpy(data + (size_t)t * c->page_size, slot_bytes(c, s), c->page_size);
	}
	free(c->slot);
	free(c->data);
	c->slot = slot;
	c->data = data;
	c->nslots = n;
	return 0;
}

uint64_t pcache_capacity_bytes(const pcache *c)
{
	return c->nslots * c->page_size;
}

uint64_t pcache_slots(const pcache *c)
{
	return c->nslots;
}

uint32_t pcache_page_size(const pcache *c)
{
	return c->page_size;
}

uint64_t pcache_hits(const pcache *c)
{
	return c->st.hits;
}

uint64_t pcache_misses(const pcache *c)
{
	return c->st.misses;
}

void pcache_get_stats(const pcache *c, struct pcache_stats *out)
{
	*out = c->st;
}
