/*
 * rewriter.c - a paced page rewriter: one byte per page, at a set number of
 * pages per second, in pages picked uniformly over a working set.
 *
 *     rewriter WORKING_SET_MIB PAGES_PER_SECOND
 *
 * The working set is filled first (every page non-zero). Every millisecond
 * of the guest's clock the program writes the pages due since the last
 * tick, at most MAX_BACKLOG ticks' worth (that absorbs the sleep's
 * overshoot): a guest throttled or descheduled for longer loses the writes
 * it could not make, as a real service falls behind, rather than catching
 * up in a burst. Each written page's first byte takes the
 * next value of a per-page generation kept in a shadow array, so a check
 * knows what every byte of the working set must hold. "MIGSIM-PASS n" is
 * printed each second with the pages written so far.
 */
#include "guest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 4096
#define FILL 0x5a
#define TICK_NS 1000000L
#define MAX_BACKLOG 10

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64: the pages' order needs no quality, only to look uniform. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static size_t check_set(const unsigned char *ws, const unsigned char *gen, size_t pages)
{
	size_t corrupt = 0;

	for (size_t p = 0; p < pages; p++) {
		const unsigned char *page = ws + p * PAGE;

		corrupt += page[0] != gen[p];
		for (size_t i = 1; i < PAGE; i++)
			corrupt += page[i] != FILL;
	}
	return corrupt;
}

int main(int argc, char **argv)
{
	size_t pages = argc > 1 ? strtoul(argv[1], NULL, 10) * 256 : 0;
	double rate = argc > 2 ? strtod(argv[2], NULL) : 0;
	unsigned char *ws = pages ? malloc(pages * PAGE) : NULL;
	unsigned char *gen = pages ? malloc(pages) : NULL;
	uint64_t state = 0x9e3779b97f4a7c15u, written = 0, start, last_report;
	double due = 0;

	if (!ws || !gen || rate <= 0 || guest_console_start() != 0) {
		guest_say("MIGSIM-ERROR rewriter: usage: rewriter WORKING_SET_MIB PAGES_PER_SECOND");
		return 1;
	}
	memset(ws, FILL, pages * PAGE);
	memset(gen, FILL, pages);
	guest_say("MIGSIM-READY rewriter");
	start = last_report = now_ns();
	while (1) {
		struct timespec tick = { 0, TICK_NS };
		uint64_t t = now_ns();

		due += rate * (double)(t - start) / 1e9;
		start = t;
		if (due > rate * MAX_BACKLOG * TICK_NS / 1e9 + 1)
			due = rate * MAX_BACKLOG * TICK_NS / 1e9 + 1;
		for (; due >= 1; due -= 1) {
			size_t p = next_random(&state) % pages;

			gen[p]++;
			ws[p * PAGE] = gen[p];
			written++;
		}
		if (t - last_report >= 1000000000u) {
			guest_say("MIGSIM-PASS %llu", (unsigned long long)written);
			last_report = t;
		}
		if (guest_check_requested) {
			guest_check_requested = 0;
			guest_report(check_set(ws, gen, pages));
		}
		nanosleep(&tick, NULL);
	}
}
