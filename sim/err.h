/*
 * err — how the simulator reports failure. Functions that can fail take an
 * `err *` as their last argument, return 0 on success, and on failure return
 * -1 having written one line into it (no trailing newline, no "migsim:"
 * prefix: the CLI adds that). Library code never prints and never exits.
 */
#ifndef MIGSIM_ERR_H
#define MIGSIM_ERR_H

#include <stddef.h>

typedef struct err {
	char msg[512];
} err;

/* Writes the message (printf-style) into e if e is not NULL; returns -1. */
int err_set(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the existing message with more context: "CONTEXT: old message". */
int err_wrap(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
