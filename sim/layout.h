/*
 * layout — where the programs of a guest (its OS profile and its workload)
 * have their memory in guest-physical RAM: a map of the pages not yet
 * taken, from which each region takes its extents.
 *
 * A guest OS profile places its regions where a kernel's would be (the
 * kernel image low, the slab and the page cache spread over RAM: on real
 * QEMU the pass order over physical memory decides which pages are still
 * pending at the switch-over), by asking for a page (layout_take_at); a
 * workload's regions take what is free, lowest pages first, in as many
 * extents as they need (layout_take), as pages a real allocator hands out
 * to a process are wherever free memory is. Alone (the bare guest), a
 * workload's regions are therefore packed from page 0, in order.
 */
#ifndef MIGSIM_LAYOUT_H
#define MIGSIM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Region pages [region_page, region_page + pages) are guest pages
 * [first_page, first_page + pages). */
struct layout_extent {
	uint64_t first_page, pages, region_page;
};

typedef struct layout layout;

int layout_new(layout **out, uint64_t pages, err *e);
void layout_free(layout *l);
/* Pages not taken. */
uint64_t layout_free_pages(const layout *l);
/* Takes n pages from the first free page at or after `at` (wrapping to the
 * start of RAM), in as many extents as it needs, appended to *ext (*n_ext
 * extents, realloc'ed). -1 with e filled when fewer than n are free. */
int layout_take_at(layout *l, uint64_t at, uint64_t n, struct layout_extent **ext, size_t *n_ext,
		   err *e);
/* The same from page 0. */
int layout_take(layout *l, uint64_t n, struct layout_extent **ext, size_t *n_ext, err *e);

#endif
