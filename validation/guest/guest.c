/*
 * guest.c - the console side of the validation guests (guest.h): a thread
 * that waits for "check" requests on the serial console, and the lines the
 * driver parses. Linked statically into each guest program.
 */
#include "guest.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

volatile int guest_check_requested;

static void *console_reader(void *unused)
{
	char line[128];

	(void)unused;
	while (fgets(line, sizeof line, stdin))
		if (strncmp(line, "check", 5) == 0)
			guest_check_requested = 1;
	return NULL;
}

int guest_console_start(void)
{
	pthread_t reader;

	if (pthread_create(&reader, NULL, console_reader, NULL) != 0)
		return -1;
	return pthread_detach(reader);
}

void guest_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void guest_report(size_t corrupt)
{
	if (corrupt == 0)
		guest_say("MIGSIM-CHECK ok");
	else
		guest_say("MIGSIM-CHECK corrupt %zu", corrupt);
}
