/* Unit tests of multifd's packet sizing (QEMU's MultiFDPacket_t and its
 * page count), its parameters and capability checks, and the host check. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "multifd.h"
#include "params.h"

START_TEST(test_packet_sizing)
{
	/* 512 KiB of 4 KiB pages: 128 pages, a 320-byte header and 128 be64
	 * offsets, whatever the pages used. */
	ck_assert_uint_eq(multifd_page_count(4096), 128);
	ck_assert_uint_eq(multifd_packet_len(4096), 320 + 128 * 8);
	ck_assert_uint_eq(multifd_page_count(65536), 8);
	ck_assert_uint_eq(multifd_packet_len(65536), 320 + 8 * 8);
	/* A page larger than a packet still makes packets of one page. */
	ck_assert_uint_eq(multifd_page_count(1 << 20), 1);
	ck_assert_uint_eq(multifd_packet_len(1 << 20), 328);
}
END_TEST

START_TEST(test_params_qemu_ranges)
{
	struct mig_params p;
	err e;
	params_defaults(&p);
	ck_assert_int_eq(p.multifd_channels, 2);
	ck_assert_int_eq(p.multifd_compression, MULTIFD_COMP_NONE);
	ck_assert_int_eq(p.multifd_zlib_level, 1);
	ck_assert_int_eq(p.multifd_zstd_level, 1);
	ck_assert_int_eq(p.zero_page_detection, ZERO_DETECT_MULTIFD);
	ck_assert_int_eq(params_set(&p, "multifd-channels=0", &e), -1);
	ck_assert_str_eq(e.msg, "Parameter 'multifd-channels' expects a value between 1 and 255");
	ck_assert_int_eq(params_set(&p, "multifd-channels=256", &e), -1);
	ck_assert_int_eq(params_set(&p, "multifd-channels=255", &e), 0);
	ck_assert_int_eq(params_set(&p, "multifd-zlib-level=10", &e), -1);
	ck_assert_int_eq(params_set(&p, "multifd-zstd-level=21", &e), -1);
	ck_assert_int_eq(params_set(&p, "multifd-zstd-level=20", &e), 0);
	ck_assert_int_eq(params_set(&p, "multifd-compression=lzma", &e), -1);
	ck_assert_int_eq(params_set(&p, "multifd-compression=zstd", &e), 0);
	ck_assert_int_eq(params_multifd_level(&p), 20);
	ck_assert_int_eq(params_set(&p, "multifd-compression=lz4", &e), 0);
	ck_assert_int_eq(params_multifd_level(&p), 0);
	ck_assert_str_eq(params_multifd_compression_name(p.multifd_compression), "lz4");
	unsigned caps = 0;
	ck_assert_int_eq(caps_parse_one("multifd", &caps, &e), 0);
	ck_assert_uint_eq(caps, CAP_MULTIFD);
}
END_TEST

/* More threads than CPUs is refused rather than simulated as if each had
 * its own. */
START_TEST(test_host_check)
{
	struct mig_params p;
	err e;
	params_defaults(&p); /* 2 channels */
	ck_assert_int_eq(multifd_check_host(&p, CAP_MULTIFD, &e), 0);
	p.host_cpus = 1;
	ck_assert_int_eq(multifd_check_host(&p, CAP_MULTIFD, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "at least 4"));
	ck_assert_int_eq(multifd_check_host(&p, 0, &e), 0);
	p.host_cpus = 4;
	ck_assert_int_eq(multifd_check_host(&p, CAP_MULTIFD, &e), 0);
}
END_TEST

Suite *multifd_suite(void)
{
	Suite *s = suite_create("multifd");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_packet_sizing);
	tcase_add_test(tc, test_params_qemu_ranges);
	tcase_add_test(tc, test_host_check);
	suite_add_tcase(s, tc);
	return s;
}
