/* Unit tests of the disk model (sim/disk.h): spec parsing and its refusals,
 * allocation, derived bytes, writes, the dirty bitmap, copy and
 * cluster-by-cluster compare, copy-on-read through the hook, and the
 * metadata budget of a 1 TiB disk. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"

#define CS 65536u

static disk *make(const char *spec, int empty, int missing)
{
	struct disk_config cfg = {
	    .cluster = CS, .content_seed = 7, .empty = empty, .all_missing = missing};
	err e;
	ck_assert_int_eq(disk_parse(spec, &cfg.spec, &e), 0);
	disk *d;
	ck_assert_msg(disk_new(&d, &cfg, &e) == 0, "%s", e.msg);
	return d;
}

START_TEST(test_parse)
{
	struct disk_spec s;
	err e;
	ck_assert_int_eq(disk_parse("20GiB,allocated=0.5,content=text", &s, &e), 0);
	ck_assert_uint_eq(s.size, UINT64_C(20) << 30);
	ck_assert(s.allocated == 0.5);
	ck_assert_int_eq(s.content, CONTENT_TEXT);
	ck_assert_int_eq(disk_parse("1MiB", &s, &e), 0);
	ck_assert(s.allocated == 1);
	ck_assert_int_lt(disk_parse("0", &s, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "positive"));
	ck_assert_int_lt(disk_parse("1GiB,content=nonsense", &s, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "unknown content class"));
	ck_assert_int_lt(disk_parse("1GiB,allocated=2", &s, &e), 0);
	ck_assert_int_lt(disk_parse("1GiB,colour=red", &s, &e), 0);
	ck_assert_int_lt(disk_parse("16777216TiB", &s, &e), 0); /* 16 EiB */
	ck_assert_int_lt(disk_parse("18446744073709551616", &s, &e), 0);
	ck_assert_int_lt(disk_parse("", &s, &e), 0);
	/* too many clusters for the metadata budget */
	struct disk_config cfg = {.cluster = CS};
	ck_assert_int_eq(disk_parse("1000TiB", &cfg.spec, &e), 0);
	disk *d;
	ck_assert_int_lt(disk_new(&d, &cfg, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "2^28 clusters"));
}
END_TEST

START_TEST(test_allocation_and_bytes)
{
	disk *d = make("64MiB,allocated=0.5", 0, 0);
	uint64_t n = disk_clusters(d), a = disk_allocated(d);
	ck_assert_uint_eq(n, 1024);
	ck_assert_uint_gt(a, 400);
	ck_assert_uint_lt(a, 624);
	uint8_t *b = malloc(CS);
	for (uint64_t c = 0; c < n; c++) {
		disk_cluster_bytes(d, c, b);
		ck_assert_int_eq(b[0] == 0, disk_reads_zero(d, c));
	}
	disk *z = make("1MiB,content=zero", 0, 0);
	ck_assert_uint_eq(disk_allocated(z), 16);
	ck_assert(disk_reads_zero(z, 3));
	free(b);
	disk_free(d);
	disk_free(z);
}
END_TEST

START_TEST(test_write_dirty_copy_compare)
{
	disk *s = make("4MiB", 0, 0), *t = make("4MiB", 1, 0);
	err e;
	uint64_t diff;
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 1);
	ck_assert_uint_eq(diff, 0);
	ck_assert_uint_eq(disk_dirty_allocated(s), 64);
	disk_track(s, 1);
	for (uint64_t c = disk_next_dirty(s, 0); c < disk_clusters(s); c = disk_next_dirty(s, c)) {
		disk_copy_cluster(t, s, c);
		disk_clear_dirty(s, c);
	}
	ck_assert_uint_eq(disk_dirty_count(s), 0);
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 0);
	/* a partial write makes the cluster new and dirty */
	ck_assert_int_eq(disk_write(s, 3 * CS + 100, 8192, CONTENT_TEXT, &e), 0);
	ck_assert_uint_eq(disk_dirty_count(s), 1);
	ck_assert_uint_eq(disk_next_dirty(s, 0), 3);
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 1);
	ck_assert_uint_eq(diff, 3);
	disk_copy_cluster(t, s, 3);
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 0);
	/* equal metadata, equal bytes */
	uint8_t *a = malloc(CS), *b = malloc(CS);
	disk_cluster_bytes(s, 3, a);
	disk_cluster_bytes(t, 3, b);
	ck_assert_int_eq(memcmp(a, b, CS), 0);
	/* allocated zero clusters read as unallocated ones */
	ck_assert_int_eq(disk_write(s, 0, CS, CONTENT_ZERO, &e), 0);
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 1);
	disk *u = make("4MiB", 1, 0);
	ck_assert_int_eq(disk_reads_zero(u, 0), 1);
	ck_assert_int_lt(disk_write(s, 4 * 1024 * 1024 - 1, 2, CONTENT_TEXT, &e), 0);
	free(a);
	free(b);
	disk_free(s);
	disk_free(t);
	disk_free(u);
}
END_TEST

struct fetches {
	const disk *src;
	int fetched, written;
};

static int fetch(void *ctx, disk *d, uint64_t c, int need_fetch, int written, err *e)
{
	struct fetches *f = ctx;
	(void)e;
	if (need_fetch) {
		disk_copy_cluster(d, f->src, c);
		f->fetched++;
	}
	f->written += written;
	return 0;
}

START_TEST(test_copy_on_read)
{
	disk *s = make("4MiB", 0, 0), *t = make("4MiB", 1, 1);
	struct fetches f = {.src = s};
	err e;
	ck_assert_uint_eq(disk_missing(t), 64);
	ck_assert_int_lt(disk_read(t, 0, 1, &e), 0); /* no hook: refused, not faked */
	disk_set_hook(t, fetch, &f);
	ck_assert_int_eq(disk_read(t, 0, 2 * CS, &e), 0);
	ck_assert_int_eq(f.fetched, 2);
	/* a whole-cluster write needs no fetch, a partial one does */
	ck_assert_int_eq(disk_write(t, 4 * CS, CS, CONTENT_HEAP, &e), 0);
	ck_assert_int_eq(f.fetched, 2);
	ck_assert_int_eq(disk_write(t, 5 * CS + 1, 10, CONTENT_HEAP, &e), 0);
	ck_assert_int_eq(f.fetched, 3);
	ck_assert_int_eq(f.written, 2);
	ck_assert_uint_eq(disk_missing(t), 60);
	/* the guest's own writes on the destination: compared only when not
	 * tracked as its (dirty) */
	for (uint64_t c = 0; c < disk_clusters(t); c++)
		if (disk_is_missing(t, c))
			disk_copy_cluster(t, s, c);
	uint64_t diff;
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 1);
	ck_assert_uint_eq(diff, 4);
	ck_assert_int_eq(disk_compare(s, t, 1, &diff), 1); /* untracked writes differ */
	disk_track(t, 1);
	ck_assert_int_eq(disk_write(t, 4 * CS, CS, CONTENT_HEAP, &e), 0);
	ck_assert_int_eq(disk_write(t, 5 * CS, 1, CONTENT_HEAP, &e), 0);
	ck_assert_int_eq(disk_compare(s, t, 1, &diff), 0);
	ck_assert_int_eq(disk_compare(s, t, 0, &diff), 1);
	disk_free(s);
	disk_free(t);
}
END_TEST

/* A 1 TiB disk: 8 bytes a cluster of metadata, nothing more. */
START_TEST(test_terabyte_budget)
{
	disk *d = make("1TiB,allocated=0", 0, 0);
	ck_assert_uint_eq(disk_clusters(d), UINT64_C(1) << 24);
	ck_assert_uint_le(disk_host_bytes(d), (UINT64_C(1) << 24) * 8 + 4096);
	ck_assert_uint_eq(disk_allocated(d), 0);
	disk_free(d);
}
END_TEST

Suite *disk_suite(void)
{
	Suite *s = suite_create("disk");
	TCase *t = tcase_create("disk");
	tcase_add_test(t, test_parse);
	tcase_add_test(t, test_allocation_and_bytes);
	tcase_add_test(t, test_write_dirty_copy_compare);
	tcase_add_test(t, test_copy_on_read);
	tcase_add_test(t, test_terabyte_budget);
	suite_add_tcase(s, t);
	return s;
}
