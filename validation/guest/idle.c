/*
 * idle.c - an idle guest: it fills a 1 MiB buffer with a known pattern once,
 * then sleeps, waking each second to print "MIGSIM-PASS n" and to answer a
 * check of the buffer if one was asked for.
 */
#include "guest.h"

#include <stdlib.h>
#include <unistd.h>

#define SIZE (1 << 20)

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 1);
}

int main(void)
{
	unsigned char *buf = malloc(SIZE);
	unsigned long seconds = 0;

	if (!buf || guest_console_start() != 0) {
		guest_say("MIGSIM-ERROR idle: cannot start");
		return 1;
	}
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = pattern(i);
	guest_say("MIGSIM-READY idle");
	while (1) {
		sleep(1);
		guest_say("MIGSIM-PASS %lu", ++seconds);
		if (guest_check_requested) {
			size_t corrupt = 0;

			guest_check_requested = 0;
			for (size_t i = 0; i < SIZE; i++)
				corrupt += buf[i] != pattern(i);
			guest_report(corrupt);
		}
	}
}
