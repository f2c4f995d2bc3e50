/*
 * guest.h - what the validation guest programs share: the console protocol
 * the driver (validation/validate.py) reads on the serial line.
 *
 * Each program prints "MIGSIM-READY <name>" once its memory is set up,
 * "MIGSIM-PASS <n>" as it progresses (the driver times these lines to
 * measure the guest's speed under TCG), and answers a "check" line on its
 * console with "MIGSIM-CHECK ok" or "MIGSIM-CHECK corrupt <bytes>" after
 * comparing its memory with what it knows it must hold.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stddef.h>

/* Set by the console thread when a "check" line arrives; the program polls
 * it between passes so the published loop itself stays unchanged. */
extern volatile int guest_check_requested;

/* Starts the thread that reads the console for "check" lines. */
int guest_console_start(void);

/* Prints one protocol line and flushes it to the serial line. */
void guest_say(const char *fmt, ...);

/* Reports a check's result: corrupt is the number of wrong bytes. */
void guest_report(size_t corrupt);

#endif
