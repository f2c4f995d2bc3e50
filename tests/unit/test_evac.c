/* Unit tests of evac (issue 26): the checks and the placement rule of a
 * scenario, and the scheduler's limits and order on small bare guests: never
 * more migrations at once than parallelOutboundMigrationsPerNode, the order
 * rule followed, every migration verified. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "evac.h"

#define WL MIGSIM_WORKLOAD_DIR "/idle.lua"

static void host(struct evac_scenario *s, const char *name, uint64_t ram, int drain)
{
	struct evac_host *h = &s->hosts[s->n_hosts++];
	snprintf(h->name, sizeof h->name, "%s", name);
	h->nic = 125e6;
	h->ram = ram;
	h->drain = drain;
}

static void vm(struct evac_scenario *s, const char *name, size_t on, size_t to, uint64_t ram)
{
	struct evac_vm *v = &s->vms[s->n_vms++];
	snprintf(v->name, sizeof v->name, "%s", name);
	v->host = on;
	v->dest = to;
	run_config_defaults(&v->c);
	snprintf(v->c.guest, sizeof v->c.guest, "bare");
	v->c.workload_path = WL;
	v->c.ram_bytes = ram;
	v->c.seed = s->n_vms;
}

#define MiB (UINT64_C(1) << 20)

START_TEST(test_placement)
{
	static struct evac_scenario s;
	evac_defaults(&s);
	host(&s, "a", 0, 1);
	host(&s, "b", 3 * 1024 * MiB, 0);
	host(&s, "c", 4 * 1024 * MiB, 0);
	vm(&s, "stays", 1, EVAC_ANY, 1024 * MiB); /* b: 2 GiB free */
	vm(&s, "v1", 0, EVAC_ANY, 1024 * MiB);	  /* c (4 free) */
	vm(&s, "v2", 0, EVAC_ANY, 1024 * MiB);	  /* c (3 free, b 2) */
	vm(&s, "v3", 0, EVAC_ANY, 1024 * MiB);	  /* b and c: 2 free each: b, listed first */
	size_t which;
	err e = {{0}};
	ck_assert_msg(evac_check(&s, &which, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(s.vms[1].dest, 2);
	ck_assert_uint_eq(s.vms[2].dest, 2);
	ck_assert_uint_eq(s.vms[3].dest, 1);
	ck_assert_uint_eq(s.vms[0].dest, EVAC_ANY); /* it stays */
}
END_TEST

START_TEST(test_refusals)
{
	static struct evac_scenario s;
	size_t which;
	err e = {{0}};
	evac_defaults(&s);
	host(&s, "a", 0, 1);
	host(&s, "b", 512 * MiB, 0);
	vm(&s, "big", 0, 1, 1024 * MiB);
	ck_assert_int_eq(evac_check(&s, &which, &e), -1);
	ck_assert_uint_eq(which, 0);
	ck_assert_str_eq(e.msg, "its RAM does not fit in b's free RAM");
	s.hosts[1].ram = 0;
	s.policy.per_node = 0;
	ck_assert_int_eq(evac_check(&s, &which, &e), -1);
	ck_assert_uint_eq(which, EVAC_ANY);
	s.policy.per_node = 2;
	s.hosts[1].drain = 1; /* a -> b while b is drained: a cycle */
	ck_assert_int_eq(evac_check(&s, &which, &e), -1);
	ck_assert_msg(strstr(e.msg, "cyclic evacuation") != NULL, "%s", e.msg);
}
END_TEST

/* Four VMs of different sizes, one outbound at a time, smallest first: they
 * run one after another, in order of size, each verified. */
START_TEST(test_serial_smallest_first)
{
	static struct evac_scenario s;
	static struct evac_result r;
	evac_defaults(&s);
	host(&s, "a", 0, 1);
	host(&s, "b", 0, 0);
	uint64_t sizes[] = {64, 16, 48, 32};
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof name, "v%d", i);
		vm(&s, name, 0, 1, sizes[i] * MiB);
	}
	s.policy.per_node = 1;
	s.policy.order = EVAC_SMALLEST_FIRST;
	size_t which;
	err e = {{0}};
	ck_assert_msg(evac_check(&s, &which, &e) == 0, "%s", e.msg);
	ck_assert_msg(evac_execute(&s, &r, &e) == 0, "%s", e.msg);
	int order[] = {1, 3, 2, 0};
	for (int k = 0; k < 4; k++) {
		const struct evac_vm_result *v = &r.vms[order[k]];
		ck_assert_int_eq(v->run.status, MIG_STATUS_COMPLETED);
		ck_assert_int_eq(v->run.stats.ended_in, MIG_PHASE_STOPPED);
		if (k)
			ck_assert_int_eq(v->start, r.vms[order[k - 1]].end);
	}
	ck_assert_int_eq(r.vms[1].start, 0);
	ck_assert_int_eq(r.drain_time, r.vms[0].end);
	ck_assert_uint_eq(r.completed, 4);
	evac_result_free(&r);
}
END_TEST

/* Two at a time: the third starts when the first of the two ends. Each
 * migration waits for its own bytes only, so the small one ends well
 * before the large one (when both waited for every byte on the link, the
 * small one's completion waited for the large one's stream). */
START_TEST(test_two_at_a_time)
{
	static struct evac_scenario s;
	static struct evac_result r;
	evac_defaults(&s);
	host(&s, "a", 0, 1);
	host(&s, "b", 0, 0);
	vm(&s, "v0", 0, 1, 16 * MiB);
	vm(&s, "v1", 0, 1, 64 * MiB);
	vm(&s, "v2", 0, 1, 16 * MiB);
	size_t which;
	err e = {{0}};
	ck_assert_msg(evac_check(&s, &which, &e) == 0, "%s", e.msg);
	ck_assert_msg(evac_execute(&s, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.vms[0].start, 0);
	ck_assert_int_eq(r.vms[1].start, 0);
	ck_assert_int_lt(r.vms[0].end, r.vms[1].end);
	ck_assert_int_eq(r.vms[2].start, r.vms[0].end);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(r.vms[i].run.status, MIG_STATUS_COMPLETED);
	evac_result_free(&r);
}
END_TEST

Suite *evac_suite(void)
{
	Suite *s = suite_create("evac");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_placement);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_serial_smallest_first);
	tcase_add_test(tc, test_two_at_a_time);
	suite_add_tcase(s, tc);
	return s;
}
