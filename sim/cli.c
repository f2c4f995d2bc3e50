/* cli — the command line's shared error line and --help test (see cli.h). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_fail(int status, const char *what, const char *where)
{
	fprintf(stderr, "migsim: %s (%s)\n", what, where);
	return status;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}
