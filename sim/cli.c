/* cli — the command line's shared error line and --help test (see cli.h). */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cli_fail(int status, const char *what, const char *where)
{
	fprintf(stderr, "migsim: %s (%s)\n", what, where);
	return status;
}

/* The length of the name msg starts with when that name is path as Lua
 * shows it: whole, or shortened to "..." and the path's tail (Lua keeps
 * LUA_IDSIZE bytes of a chunk name); 0 when msg starts otherwise. */
static size_t path_prefix(const char *path, const char *msg)
{
	size_t len = strlen(path);
	if (!strncmp(msg, path, len))
		return len;
	if (strncmp(msg, "...", 3))
		return 0;
	for (size_t tail = 1; tail < len; tail++)
		if (!strncmp(msg + 3, path + tail, len - tail) && msg[3 + len - tail] == ':')
			return 3 + len - tail;
	return 0;
}

/* Removes n bytes at p from the string p is in. */
static void cut(char *p, size_t n)
{
	memmove(p, p + n, strlen(p + n) + 1);
}

void cli_split_place(const char *path, char *msg, char *where, size_t n)
{
	static const char *const load_verbs[] = {"cannot open ", "cannot read ", NULL};
	for (size_t i = 0; load_verbs[i]; i++) { /* luaL_loadfile's "cannot open PATH: why" */
		size_t v = strlen(load_verbs[i]), len = strlen(path);
		if (!strncmp(msg, load_verbs[i], v) && !strncmp(msg + v, path, len) &&
		    msg[v + len] == ':') {
			snprintf(where, n, "%s", path);
			cut(msg + v - 1, len + 1);
			return;
		}
	}
	size_t name = path_prefix(path, msg);
	if (!name)
		return;
	const char *colon = msg + name, *digits = colon + 1, *end = digits;
	while (*end >= '0' && *end <= '9')
		end++;
	if (end > digits && end[0] == ':' && end[1] == ' ') { /* "PATH:LINE: what" */
		snprintf(where, n, "%s%.*s", path, (int)(end - colon), colon);
		cut(msg, (size_t)(end + 2 - msg));
	} else if (colon[0] == ':' && colon[1] == ' ') { /* "PATH: what" */
		snprintf(where, n, "%s", path);
		cut(msg, name + 2);
	}
}

int cli_fail_in_file(int status, const char *what, const char *path)
{
	char msg[1024], where[4200]; /* display text: cut if it must be */
	snprintf(msg, sizeof msg, "%s", what);
	snprintf(where, sizeof where, "%s", path);
	cli_split_place(path, msg, where, sizeof where);
	return cli_fail(status, msg, where);
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

int cli_fits(int written, size_t n)
{
	return written >= 0 && (size_t)written < n;
}

int cli_resolve_workload(const char *arg, char *out, size_t n)
{
	struct stat sb;
	if (!strchr(arg, '/') && stat(arg, &sb) != 0) {
		const char *ext = strstr(arg, ".lua") ? "" : ".lua";
		if (cli_fits(snprintf(out, n, "%s/%s%s", MIGSIM_WORKLOAD_DIR, arg, ext), n) &&
		    stat(out, &sb) == 0)
			return 0;
	}
	return cli_fits(snprintf(out, n, "%s", arg), n) ? 0 : -1;
}
