/*
 * main — the migsim command line: parses the subcommand and hands over to the
 * module that implements it. Errors reach the user as one line
 * "migsim: <what> (<where>)" on stderr and a non-zero exit.
 */
#include <stdio.h>
#include <string.h>

static const char usage[] =
	"usage: migsim COMMAND [options]\n"
	"\n"
	"commands:\n"
	"  help                 this text\n"
	"  version              the version of migsim\n"
	"\n"
	"Run 'migsim COMMAND --help' for a command's options.\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("migsim %s\n", MIGSIM_VERSION);
		return 0;
	}
	fprintf(stderr, "migsim: unknown command '%s' (try 'migsim help')\n", cmd);
	return 2;
}
