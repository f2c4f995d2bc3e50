/*
 * Unit tests of the XBZRLE page cache (encoders/pcache.h): sizing rounded
 * down to a power of two, hit and miss accounting, replacement under
 * QEMU's 2-generation lifetime, and resize keeping what fits.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "pcache.h"
#include "xbzrle.h"

#define PS 4096

static pcache *make(uint64_t size)
{
	pcache *c = NULL;
	const char *why = NULL;
	ck_assert_int_eq(pcache_new(&c, size, PS, &why), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* A page whose bytes say which page and which version it is. */
static const uint8_t *bytes_of(uint64_t page, int version)
{
	static uint8_t b[PS];
	for (int i = 0; i < PS; i++)
		b[i] = (uint8_t)(page * 31 + (uint64_t)version * 7 + (uint64_t)i);
	return b;
}

static void assert_holds(pcache *c, uint64_t page, int version, uint64_t age)
{
	const uint8_t *got = pcache_lookup(c, page, age);
	ck_assert_msg(got != NULL, "page %llu missing", (unsigned long long)page);
	ck_assert(memcmp(got, bytes_of(page, version), PS) == 0);
}

START_TEST(test_sizing)
{
	pcache *c = make(10 * PS + 100); /* 10 pages and a bit -> 8 */
	ck_assert_uint_eq(pcache_slots(c), 8);
	ck_assert_uint_eq(pcache_capacity_bytes(c), 8 * PS);
	ck_assert_uint_eq(pcache_page_size(c), PS);
	pcache_free(c);
	c = make(16 * PS);
	ck_assert_uint_eq(pcache_slots(c), 16);
	pcache_free(c);
	c = make(PS);
	ck_assert_uint_eq(pcache_slots(c), 1);
	pcache_free(c);
	/* 256 MiB: calloc'ed, not touched, so this costs next to nothing. */
	c = make(256ULL << 20);
	ck_assert_uint_eq(pcache_slots(c), 65536);
	ck_assert(pcache_lookup(c, 65535, 0) == NULL);
	pcache_free(c);
	pcache_free(NULL);

	const char *why = NULL;
	c = (pcache *)1;
	ck_assert_int_eq(pcache_new(&c, PS - 1, PS, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_null(c);
	why = NULL;
	ck_assert_int_eq(pcache_new(&c, 0, PS, &why), -1);
	ck_assert_ptr_nonnull(why);
	why = NULL;
	ck_assert_int_eq(pcache_new(&c, 1 << 20, 0, &why), -1);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_hits_and_misses)
{
	pcache *c = make(8 * PS);
	ck_assert(pcache_lookup(c, 5, 0) == NULL); /* empty */
	ck_assert_int_eq(pcache_insert(c, 5, bytes_of(5, 0), 0), 0);
	assert_holds(c, 5, 0, 0);
	ck_assert(pcache_lookup(c, 6, 0) == NULL);  /* another, empty slot */
	ck_assert(pcache_lookup(c, 13, 0) == NULL); /* same slot, other page */
	ck_assert_uint_eq(pcache_hits(c), 1);
	ck_assert_uint_eq(pcache_misses(c), 3);
	/* The same page is always overwritten, whatever its age. */
	ck_assert_int_eq(pcache_insert(c, 5, bytes_of(5, 1), 0), 0);
	assert_holds(c, 5, 1, 0);
	/* No lifetime on lookup: an entry stays valid while it stays put. */
	assert_holds(c, 5, 1, 1000);
	/* UINT64_MAX is never a page. */
	ck_assert_int_eq(pcache_insert(c, UINT64_MAX, bytes_of(0, 0), 0), -1);
	ck_assert(pcache_lookup(c, UINT64_MAX, 0) == NULL);
	struct pcache_stats st;
	pcache_get_stats(c, &st);
	ck_assert_uint_eq(st.hits, 3);
	ck_assert_uint_eq(st.misses, 4);
	ck_assert_uint_eq(st.inserts, 2);
	ck_assert_uint_eq(st.evictions, 0);
	pcache_free(c);
}
END_TEST

/* A prefetch is a hint: held or not, the page's entry, its age and every
 * count stay as they were. */
START_TEST(test_prefetch_changes_nothing)
{
	pcache *c = make(8 * PS);
	ck_assert_int_eq(pcache_insert(c, 5, bytes_of(5, 0), 3), 0);
	struct pcache_stats before, after;
	pcache_get_stats(c, &before);
	pcache_prefetch(c, 5);
	pcache_prefetch(c, 13); /* same slot, other page */
	pcache_prefetch(c, 6);	/* empty slot */
	pcache_prefetch(c, UINT64_MAX);
	pcache_get_stats(c, &after);
	ck_assert_mem_eq(&before, &after, sizeof before);
	/* the age is still 3: a page of the same slot may not replace it at 4 */
	ck_assert_int_eq(pcache_insert(c, 13, bytes_of(13, 0), 4), -1);
	assert_holds(c, 5, 0, 4);
	pcache_free(c);
}
END_TEST

/* CACHED_PAGE_LIFETIME = 2: a different page may replace an entry only once
 * the entry's age + 2 <= the current age. */
START_TEST(test_lifetime)
{
	pcache *c = make(8 * PS);
	ck_assert_int_eq(pcache_insert(c, 1, bytes_of(1, 0), 10), 0);
	ck_assert_int_eq(pcache_insert(c, 9, bytes_of(9, 0), 10), -1);
	ck_assert_int_eq(pcache_insert(c, 9, bytes_of(9, 0), 11), -1);
	assert_holds(c, 1, 0, 10); /* the hit keeps age 10 */
	ck_assert_int_eq(pcache_insert(c, 9, bytes_of(9, 0), 12), 0);
	ck_assert(pcache_lookup(c, 1, 12) == NULL); /* replaced: a miss */
	assert_holds(c, 9, 0, 12);

	/* A hit refreshes the age, and so protects the entry again. */
	ck_assert_int_eq(pcache_insert(c, 2, bytes_of(2, 0), 0), 0);
	assert_holds(c, 2, 0, 5);
	ck_assert_int_eq(pcache_insert(c, 10, bytes_of(10, 0), 6), -1);
	ck_assert_int_eq(pcache_insert(c, 10, bytes_of(10, 0), 7), 0);

	/* An entry from a later generation than the insert's is fresh too. */
	ck_assert_int_eq(pcache_insert(c, 4, bytes_of(4, 0), 100), 0);
	ck_assert_int_eq(pcache_insert(c, 12, bytes_of(12, 0), 50), -1);
	assert_holds(c, 4, 0, 100);

	struct pcache_stats st;
	pcache_get_stats(c, &st);
	ck_assert_uint_eq(st.refused, 4);
	ck_assert_uint_eq(st.evictions, 2);
	pcache_free(c);
}
END_TEST

START_TEST(test_resize)
{
	const char *why = NULL;
	pcache *c = make(8 * PS);
	for (uint64_t p = 0; p < 8; p++)
		ck_assert_int_eq(pcache_insert(c, p, bytes_of(p, 0), p), 0);
	ck_assert(pcache_lookup(c, 100, 0) == NULL);
	/* Shrinking to 4: pages p and p + 4 collide, the younger (p + 4) wins. */
	ck_assert_int_eq(pcache_resize(c, 4 * PS + 5, &why), 0);
	ck_assert_uint_eq(pcache_slots(c), 4);
	ck_assert_uint_eq(pcache_capacity_bytes(c), 4 * PS);
	for (uint64_t p = 0; p < 4; p++)
		ck_assert(pcache_lookup(c, p, 9) == NULL);
	for (uint64_t p = 4; p < 8; p++)
		assert_holds(c, p, 0, 9);
	ck_assert_uint_eq(pcache_hits(c), 4);
	ck_assert_uint_eq(pcache_misses(c), 5); /* the counts survive */
	/* Growing to 16 keeps all four where page & 15 puts them. */
	ck_assert_int_eq(pcache_resize(c, 16 * PS, &why), 0);
	ck_assert_uint_eq(pcache_slots(c), 16);
	for (uint64_t p = 4; p < 8; p++)
		assert_holds(c, p, 0, 9);
	ck_assert_int_eq(pcache_insert(c, 12, bytes_of(12, 0), 9), 0);	/* slot 12 is free */
	ck_assert_int_eq(pcache_insert(c, 20, bytes_of(20, 0), 9), -1); /* slot 4 is fresh */
	/* Too small: an error, and the cache as it was. */
	why = NULL;
	ck_assert_int_eq(pcache_resize(c, PS / 2, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_uint_eq(pcache_slots(c), 16);
	assert_holds(c, 12, 0, 9);
	/* The same size changes nothing. */
	ck_assert_int_eq(pcache_resize(c, 16 * PS + 1, &why), 0);
	assert_holds(c, 5, 0, 9);
	pcache_free(c);
}
END_TEST

/* Equal ages: the entry from the lower old slot stays. */
START_TEST(test_resize_ties)
{
	const char *why = NULL;
	pcache *c = make(8 * PS);
	for (uint64_t p = 0; p < 8; p++)
		pcache_insert(c, p, bytes_of(p, 1), 3);
	ck_assert_int_eq(pcache_resize(c, 2 * PS, &why), 0);
	assert_holds(c, 0, 1, 3);
	assert_holds(c, 1, 1, 3);
	for (uint64_t p = 2; p < 8; p++)
		ck_assert(pcache_lookup(c, p, 3) == NULL);
	/* Down to one slot: page 1 was just hit at age 3 as was page 0. */
	ck_assert_int_eq(pcache_resize(c, PS, &why), 0);
	assert_holds(c, 0, 1, 3);
	ck_assert(pcache_lookup(c, 1, 3) == NULL);
	pcache_free(c);
}
END_TEST

/* Patching the cached copy with a delta leaves what inserting the new
 * page would: the new bytes and the new age; a page not cached, or a delta
 * the decoder rejects, changes nothing. */
START_TEST(test_apply_delta)
{
	static uint8_t old[PS], new[PS], delta[PS];
	const char *why = NULL;
	pcache *c = make(4 * PS);
	memcpy(old, bytes_of(3, 0), PS);
	memcpy(new, old, PS);
	new[0] ^= 0x5a, new[200] ^= 1, new[PS - 1] ^= 0xff;
	ck_assert_int_eq(pcache_insert(c, 3, old, 1), 0);
	int len = xbz_encode(old, new, PS, delta, PS);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(pcache_apply_delta(c, 7, delta, (size_t)len, 2, &why), -1);
	ck_assert_int_eq(pcache_apply_delta(c, 3, delta, (size_t)len - 1, 2, &why), -1);
	ck_assert(memcmp(pcache_lookup(c, 3, 1), old, PS) == 0);
	ck_assert_int_eq(pcache_apply_delta(c, 3, delta, (size_t)len, 5, &why), 0);
	ck_assert(memcmp(pcache_lookup(c, 3, 5), new, PS) == 0);
	/* Age 5 is fresh: page 7 (same slot) may not take it at age 6. */
	ck_assert_int_eq(pcache_insert(c, 7, old, 6), -1);
	pcache_free(c);
}
END_TEST

Suite *pcache_suite(void)
{
	Suite *s = suite_create("pcache");
	TCase *tc = tcase_create("pcache");
	tcase_add_test(tc, test_sizing);
	tcase_add_test(tc, test_hits_and_misses);
	tcase_add_test(tc, test_lifetime);
	tcase_add_test(tc, test_resize);
	tcase_add_test(tc, test_resize_ties);
	tcase_add_test(tc, test_apply_delta);
	tcase_add_test(tc, test_prefetch_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
