/*
 * calloc_loop.c - the test program published with QEMU's XBZRLE patch
 * (2011), its loop unchanged:
 *
 *     char *buf = calloc(4096 * 4096, 1);
 *     while (1) {
 *         for (i = 0; i < 4096 * 4096 / 1024; i++)
 *             buf[i * 1024]++;
 *     }
 *
 * Around it: a pass counter printed every argv[1] passes (default 64) so the
 * driver can time the guest under TCG, and a check between passes when asked:
 * after n whole passes every counter byte holds n mod 256 and every other
 * byte is still zero.
 */
#include "guest.h"

#include <stdlib.h>

#define BUF_SIZE (4096 * 4096)
#define STRIDE 1024

static size_t check_buffer(const unsigned char *buf, unsigned long passes)
{
	unsigned char counter = (unsigned char)passes;
	size_t corrupt = 0;

	for (size_t i = 0; i < BUF_SIZE; i++)
		corrupt += buf[i] != (i % STRIDE == 0 ? counter : 0);
	return corrupt;
}

int main(int argc, char **argv)
{
	unsigned long every = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	unsigned long passes = 0;
	char *buf = calloc(BUF_SIZE, 1);
	int i;

	if (!buf || every == 0 || guest_console_start() != 0) {
		guest_say("MIGSIM-ERROR calloc_loop: cannot start");
		return 1;
	}
	guest_say("MIGSIM-READY calloc_loop");
	while (1) {
		for (i = 0; i < 4096 * 4096 / 1024; i++)
			buf[i * 1024]++;
		if (++passes % every == 0)
			guest_say("MIGSIM-PASS %lu", passes);
		if (guest_check_requested) {
			guest_check_requested = 0;
			guest_report(check_buffer((unsigned char *)buf, passes));
		}
	}
}
