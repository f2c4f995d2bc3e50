/*
 * layout — a guest's free pages as a sorted list of free extents (see
 * layout.h). Regions are few (tens), so a linear search is enough.
 */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

struct span {
	uint64_t first, pages;
};

struct layout {
	struct span *free; /* sorted by first, disjoint, none empty */
	size_t n, cap;
	uint64_t free_pages;
};

int layout_new(layout **out, uint64_t pages, err *e)
{
	layout *l = calloc(1, sizeof *l);
	if (!l || !(l->free = malloc(sizeof *l->free))) {
		free(l);
		return err_set(e, "out of memory");
	}
	l->cap = 1;
	if (pages)
		l->free[l->n++] = (struct span){0, pages};
	l->free_pages = pages;
	*out = l;
	return 0;
}

void layout_free(layout *l)
{
	if (!l)
		return;
	free(l->free);
	free(l);
}

uint64_t layout_free_pages(const layout *l)
{
	return l->free_pages;
}

static int add_extent(struct layout_extent **ext, size_t *n_ext, uint64_t first, uint64_t pages,
		      uint64_t region_page)
{
	struct layout_extent *grown = realloc(*ext, (*n_ext + 1) * sizeof *grown);
	if (!grown)
		return -1;
	*ext = grown;
	grown[(*n_ext)++] = (struct layout_extent){first, pages, region_page};
	return 0;
}

/* Takes up to `want` pages from free span i, from page `from` in it:
 * the span shrinks, splits in two, or goes. */
static uint64_t take_from(layout *l, size_t i, uint64_t from, uint64_t want, uint64_t *first)
{
	struct span s = l->free[i];
	uint64_t end = s.first + s.pages;
	uint64_t n = end - from < want ? end - from : want;
	*first = from;
	l->free_pages -= n;
	if (from == s.first && n == s.pages) {
		memmove(&l->free[i], &l->free[i + 1], (l->n - i - 1) * sizeof *l->free);
		l->n--;
	} else if (from == s.first) {
		l->free[i] = (struct span){from + n, s.pages - n};
	} else if (from + n == end) {
		l->free[i].pages = from - s.first;
	} else { /* the middle: split (the caller made room) */
		memmove(&l->free[i + 2], &l->free[i + 1], (l->n - i - 1) * sizeof *l->free);
		l->free[i] = (struct span){s.first, from - s.first};
		l->free[i + 1] = (struct span){from + n, end - from - n};
		l->n++;
	}
	return n;
}

int layout_take_at(layout *l, uint64_t at, uint64_t n, struct layout_extent **ext, size_t *n_ext,
		   err *e)
{
	if (n > l->free_pages)
		return err_set(e, "%llu pages wanted, %llu free", (unsigned long long)n,
			       (unsigned long long)l->free_pages);
	uint64_t done = 0;
	for (int lap = 0; done < n && lap < 2; lap++, at = 0) {
		for (size_t i = 0; i < l->n && done < n;) {
			struct span s = l->free[i];
			if (s.first + s.pages <= at) {
				i++;
				continue;
			}
			if (l->n == l->cap) {
				struct span *g = realloc(l->free, 2 * l->cap * sizeof *g);
				if (!g)
					return err_set(e, "out of memory");
				l->free = g;
				l->cap *= 2;
			}
			uint64_t from = at > s.first ? at : s.first, first;
			size_t before = l->n;
			uint64_t got = take_from(l, i, from, n - done, &first);
			if (add_extent(ext, n_ext, first, got, done) < 0)
				return err_set(e, "out of memory");
			done += got;
			/* the span stayed (shrunk at its end) or split: go past it */
			i += l->n >= before ? 1 + (l->n > before) : 0;
			at = first + got;
		}
	}
	return 0;
}

int layout_take(layout *l, uint64_t n, struct layout_extent **ext, size_t *n_ext, err *e)
{
	return layout_take_at(l, 0, n, ext, n_ext, e);
}
