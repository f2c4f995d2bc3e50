/*
 * pcache — QEMU's XBZRLE page cache: the bytes of each page as last sent, so
 * that the next time the page is sent only a delta (xbzrle.h) need go.
 *
 * Sizing. The capacity is given in bytes and rounded DOWN to a power-of-two
 * number of pages (QEMU today refuses other sizes, older releases rounded
 * down); pcache_capacity_bytes() reports the result. Less than one page is
 * an error.
 *
 * Direct-mapped: page p lives in slot p & (slots - 1). A slot holds one page
 * number (or nothing), an age and the page's bytes. Ages are the caller's
 * generation counter (the dirty-bitmap sync count): the age of an entry is
 * the generation in which it was inserted or last hit.
 *
 * Lookup is a hit only when the slot holds this very page; a hit sets the
 * entry's age to the current one. There is no lifetime check on lookup: an
 * entry is valid however old it is, for as long as it stays in its slot.
 * A page whose entry was since replaced by another page of the same slot
 * is simply a miss.
 *
 * Insert follows CACHED_PAGE_LIFETIME = 2: when the slot holds a DIFFERENT
 * page whose age + 2 > the current age (used in this generation or the
 * previous one), the insert is refused and the old entry stays; otherwise
 * (empty slot, the same page, or an entry 2 or more generations old) the
 * slot takes the new page, bytes and age.
 *
 * Resize keeps what fits, unlike QEMU, which drops the whole cache when its
 * size changes (migsim's choice, deliberate: it keeps runs comparable across
 * a mid-migration resize). Each entry moves to page & (new slots - 1);
 * when two collide in a smaller table the one with the higher age stays,
 * on a tie the one from the lower old slot. Hit and miss counts survive.
 *
 * The data array is calloc'ed and not touched at creation, so a large cache
 * costs memory only as pages are inserted.
 */
#ifndef MIGSIM_PCACHE_H
#define MIGSIM_PCACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct pcache pcache;

struct pcache_stats {
	uint64_t hits, misses; /* lookups */
	uint64_t inserts;      /* stored, replacing or not */
	uint64_t refused;      /* inserts refused by the lifetime rule */
	uint64_t evictions;    /* inserts that replaced another page */
};

/* A cache of size_bytes (rounded down, above) of page_size-byte pages. On
 * failure -1 with *why set to a static message. */
int pcache_new(pcache **out, uint64_t size_bytes, uint32_t page_size, const char **why);
void pcache_free(pcache *c); /* NULL ok */

/* The cached bytes of page (page_size of them) and the entry's age set to
 * age; NULL on a miss. The pointer is valid until the next insert into the
 * same slot, resize or free. */
const uint8_t *pcache_lookup(pcache *c, uint64_t page, uint64_t age);
/* A hint to the host: start loading page's cached bytes (the first 4 KiB)
 * into its cache. Changes nothing, counts nothing. */
void pcache_prefetch(const pcache *c, uint64_t page);
/* Stores page_size bytes for page: 0 stored, -1 refused by the lifetime
 * rule (page UINT64_MAX is refused too: it is never a page number). */
int pcache_insert(pcache *c, uint64_t page, const uint8_t *bytes, uint64_t age);
/* Brings page's cached bytes up to date by applying an XBZRLE delta that
 * was encoded against them (xbzrle.h), and sets the entry's age: the same
 * result as inserting the new page, at the cost of the delta instead of a
 * page copy. Counts as an insert. -1 when the page is not cached or the
 * delta is rejected (*why set; the entry is then unchanged). */
int pcache_apply_delta(pcache *c, uint64_t page, const uint8_t *delta, size_t delta_len,
		       uint64_t age, const char **why);
/* New size in bytes, rounded down as for pcache_new; keeps what fits. On
 * failure -1, *why set, and the cache unchanged. */
int pcache_resize(pcache *c, uint64_t size_bytes, const char **why);

uint64_t pcache_capacity_bytes(const pcache *c);
uint64_t pcache_slots(const pcache *c);
uint32_t pcache_page_size(const pcache *c);
uint64_t pcache_hits(const pcache *c);
uint64_t pcache_misses(const pcache *c);
void pcache_get_stats(const pcache *c, struct pcache_stats *out);

#endif
