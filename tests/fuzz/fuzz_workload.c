/*
 * fuzz_workload — libFuzzer target for the Lua host and the simulator behind
 * it, built by tests/fuzz/fuzz.mk with ASan and UBSan.
 *
 * Every input is a workload script, not a file to parse: the bytes are read
 * as a sequence of choices by a generator that writes only what
 * docs/lua-api.md describes (a script table, params, regions as a list or a
 * function, init, step, every `mem` primitive and helper, the units helpers),
 * so a mutation changes which call is made with which arguments instead of
 * breaking the syntax. Arguments are in range, out of range, negative, huge,
 * fractional, strings, nil; calls are wrapped in pcall, loops and branches;
 * finalizers (__gc) call primitives and rewrite the script table from
 * wherever the collector runs them; garbage loops drive the collector; the
 * string library backtracks; steps return good and bad costs; parameters get
 * --wl-param overrides; a few choices are outright errors (unknown fields,
 * bad names, errors raised anywhere). An exhausted input reads as zeros and
 * choice 0 is always the plainest one, so a short input is a short valid
 * script.
 *
 * The first bytes choose the run's options, the rest the script, which is
 * written to a temporary file and run in two stages:
 *   1. the Lua host alone (wl_describe, wl_open, wl_init, wl_step on a guest)
 *      with an instruction budget of 200000 per call and a heap cap of 256 KiB
 *      to 16 MiB, for at most 20 steps or 10 ms of simulated time, from the
 *      time stage 2 would end (mem.now() is as large as it will be there);
 *   2. if that ran clean and its steps are not too short to simulate quickly
 *      (500 us on average), a whole migration (run_execute, the default
 *      budget and heap) of a 1-4 MiB guest with a warm-up of at most 20 ms,
 *      a timeout of at most 300 ms and chosen capabilities, migration
 *      parameters, link and --wl-param overrides, all through the parsers
 *      the CLI uses.
 * run_config has no instruction budget, so stage 1 is stage 2's gate: a
 * script whose calls stay within 200000 instructions there does little work
 * per step in stage 2 as well.
 * Each must end in a result or in an error with a message; anything else
 * (a crash, a sanitizer report, a hang: libFuzzer's -timeout) is a finding.
 * A broken property calls __builtin_trap().
 *
 * FUZZ_WL_PRINT=1 build-fuzz/fuzz_workload FILE prints the script FILE
 * turns into, headed by the `migsim run` line that repeats stage 2, and how
 * each stage ended. Nothing here reads the clock: an input always makes the
 * same script.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "err.h"
#include "guest.h"
#include "mig.h"
#include "params.h"
#include "run.h"
#include "units.h"
#include "wl.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum {
	MAX_REGIONS = 4,
	MAX_PARAMS = 4,
	MAX_OVERRIDES = 4,
	MAX_DEPTH = 3,
	MAX_SCRIPT = 64 * 1024, /* bytes: no more statements past this */
	HOST_BUDGET = 200000,	/* Lua instructions per call in stage 1 */
	HOST_STEPS = 20,
};
#define HOST_HORIZON ((int64_t)10000000) /* ns of simulated time in stage 1 */

/* --- reading choices ----------------------------------------------------------- */

struct in {
	const uint8_t *p;
	size_t n, at;
};

/* A choice in [0, n): one byte, two when n > 256; 0 once the input is spent. */
static unsigned take(struct in *in, unsigned n)
{
	if (n <= 1 || in->at >= in->n)
		return 0;
	unsigned v = in->p[in->at++];
	if (n > 256 && in->at < in->n)
		v = v << 8 | in->p[in->at++];
	return v % n;
}

/* One of the '|'-separated alternatives of list, copied into buf. */
static const char *one_of(struct in *in, const char *list, char *buf, size_t n)
{
	unsigned count = 1;
	for (const char *c = list; *c; c++)
		count += *c == '|';
	const char *s = list;
	for (unsigned k = take(in, count); k; k--)
		s = strchr(s, '|') + 1;
	size_t len = strcspn(s, "|");
	REQUIRE(len < n);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* --- writing the script ---------------------------------------------------------- */

struct out {
	char *s;
	size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	REQUIRE(n >= 0);
	if (o->len + (size_t)n + 1 > o->cap) {
		size_t cap = (o->len + (size_t)n + 1) * 2;
		char *s = realloc(o->s, cap);
		REQUIRE(s);
		o->s = s;
		o->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

struct gen {
	struct in in;
	struct out out;
	unsigned depth;	    /* blocks open around the statement being written */
	int in_gc;	    /* inside a finalizer: mem is the upvalue M, maybe nil */
	int have_region;    /* a local R holds the statement's region */
	int have_mem;	    /* mem can be named (not in regions or the top level) */
	unsigned n_regions; /* declared by the script (r0, r1, ...) */
	unsigned n_params;  /* p0, p1, ... */
};

#define PUT(...) put(&g->out, __VA_ARGS__)
#define TAKE(n)	 take(&g->in, (n))
#define PICK(a)	 ((a)[TAKE(COUNT(a))])
/* Writes one alternative of a '|'-separated list. */
#define PUT_ONE_OF(list)                                                                           \
	do {                                                                                       \
		char one_[64];                                                                     \
		PUT("%s", one_of(&g->in, (list), one_, sizeof one_));                              \
	} while (0)

static const char *mem_name(const struct gen *g)
{
	return g->in_gc ? "M" : "mem";
}

static void num(struct gen *g);
static void block(struct gen *g, unsigned max);

/* A string for the units parsers: good, bad and borderline, or up to 10
 * characters from their alphabet. */
static void unit_string(struct gen *g)
{
	static const char alphabet[] = "0123456789.eE+-kKMGTiBbnsumhxt/ ";
	PUT("\"");
	if (TAKE(4) == 3) {
		for (unsigned n = TAKE(11); n; n--)
			PUT("%c", alphabet[TAKE(sizeof alphabet - 1)]);
	} else {
		PUT_ONE_OF("1ms|16KiB|4096|1MiB|2s|100us|1.5KiB|0|-1||abc|1e3|4G|1Gbit/s|10MB/s|"
			   "0x10|nan|inf|1e400|18446744073709551616|9223372036854775807ns| 5|5 |"
			   "1min|1TiB|1e-9s|1.5|3h|99999999999h|1e308s|-0|1KiBs|0.5ns|1 ms|MiB|"
			   "8bit/s|1e19");
	}
	PUT("\"");
}

/* The region a primitive works on, mostly a declared one. */
static void region(struct gen *g)
{
	const char *m = mem_name(g);
	unsigned k = TAKE(16);
	unsigned r = g->n_regions ? TAKE(g->n_regions) : 0;
	if (k < 11)
		PUT("%s.r%u", m, r);
	else if (k == 11)
		PUT("%s.region(\"r%u\")", m, r);
	else if (k == 12)
		PUT("%s.r%u", m, MAX_REGIONS + 1); /* not declared */
	else if (k == 13)
		PUT("%s.region(%s)", m, TAKE(2) ? "nil" : "\"now\"");
	else if (k == 14)
		PUT("{}");
	else
		PUT("(keep.r or %s.r0)", m); /* kept from an earlier call, maybe */
}

/* Values that are no number at all. */
static void odd_value(struct gen *g)
{
	PUT_ONE_OF("nil|true|{}|\"7\"|\"0x10\"|\"abc\"|\"\"|function() end|\"1e3\"|mem");
}

static void huge(struct gen *g)
{
	PUT_ONE_OF("math.maxinteger|math.mininteger|2^31|2^32|2^53|2^63|-2^63|1e308|-1e308|0/0|"
		   "1/0|-1/0|4294967295|4294967296|0x7fffffff|(1<<62)|(1<<40)");
}

static void fraction(struct gen *g)
{
	PUT_ONE_OF("0.5|1.0|4096.0|1e-300|-0.0|1.5|0.999999");
}

/* A call of a units helper. */
static void units_call(struct gen *g)
{
	switch (TAKE(4)) {
	case 0:
		PUT_ONE_OF("size|duration|rate");
		PUT("(");
		unit_string(g);
		PUT(")");
		break;
	case 1:
		PUT_ONE_OF("us|ms|sec");
		PUT("(");
		num(g);
		PUT(")");
		break;
	case 2:
		PUT("page_size()");
		break;
	default:
		PUT_ONE_OF("size|duration|rate|us|ms|sec|page_size");
		PUT("(");
		odd_value(g);
		PUT(")");
	}
}

/* A Zipf exponent: mostly valid (0..100), sometimes not. */
static void zipf_s(struct gen *g)
{
	PUT_ONE_OF("1.0|0|1.1|0.5|2|100|-1|101|0/0|1/0|99.99|1e-9|\"1\"|nil");
}

/* A number-ish expression: an argument of a primitive or helper. */
static void num(struct gen *g)
{
	const char *m = mem_name(g);
	unsigned k = TAKE(26);
	if (!g->have_region && k >= 3 && k <= 9)
		k = 1;
	if (!g->have_mem && k >= 19 && k <= 21)
		k = 2;
	if (g->depth > MAX_DEPTH + 2 && k == 22)
		k = 0;
	switch (k) {
	case 0:
		PUT("%u", TAKE(4));
		break;
	case 1:
		PUT("%u", TAKE(256));
		break;
	case 2:
		PUT("%u", TAKE(65536));
		break;
	case 3:
		PUT("R.pages");
		break;
	case 4:
		PUT("R.pages - %u", 1 + TAKE(3));
		break;
	case 5:
		PUT("R.size");
		break;
	case 6:
		PUT("R.size - %u", 1 + TAKE(4096));
		break;
	case 7:
		PUT("%s.random_below(R.pages)", m);
		break;
	case 8:
		PUT("R:pick_uniform()");
		break;
	case 9:
		PUT("R:pick_zipf(");
		zipf_s(g);
		PUT(")");
		break;
	case 10:
		if (g->n_params)
			PUT("p.p%u", TAKE(g->n_params));
		else
			PUT("%u", TAKE(64));
		break;
	case 11:
		PUT("-%u", 1 + TAKE(65536));
		break;
	case 12:
	case 13:
		huge(g);
		break;
	case 14:
		fraction(g);
		break;
	case 15:
	case 16:
		odd_value(g);
		break;
	case 17:
	case 18:
		units_call(g);
		break;
	case 19:
		PUT("%s.now()", m);
		break;
	case 20:
		PUT("%s.random()", m);
		break;
	case 21:
		PUT("%s.page_size", m);
		break;
	case 22:
		g->depth++;
		PUT("(");
		num(g);
		PUT(" ");
		PUT_ONE_OF("+|-|*|//|/|%|<<|&");
		PUT(" ");
		num(g);
		PUT(")");
		g->depth--;
		break;
	case 23:
		PUT("(keep.n or 1)");
		break;
	case 24:
		PUT("#keep");
		break;
	default:
		PUT("%u", 4096 * TAKE(17));
	}
}

/* Bytes for write(): a literal, a repetition, bytes read back, or not a string. */
static void string_arg(struct gen *g)
{
	switch (TAKE(6)) {
	case 0:
		PUT_ONE_OF("\"hello\"|\"\"|\"\\0\\255\\n\"|\"x\"");
		break;
	case 1:
		PUT("string.rep(\"ab\", ");
		num(g);
		PUT(")");
		break;
	case 2:
		PUT("string.rep(\"z\", %u)", TAKE(9000));
		break;
	case 3:
		if (g->have_region) {
			PUT("R:bytes(");
			num(g);
			PUT(", ");
			num(g);
			PUT(")");
		} else {
			PUT("\"y\"");
		}
		break;
	case 4:
		num(g);
		break;
	default:
		odd_value(g);
	}
}

/* The primitives: name, then per argument n (number), s (string), z (Zipf
 * exponent), r (a region). */
static const struct prim {
	const char *name;
	const char *args;
} prims[] = {
    {"inc", "nnnn"},
    {"write", "ns"},
    {"fill", "nnn"},
    {"read", "nn"},
    {"bytes", "nn"},
    {"write_random", "nnn"},
    {"rewrite", "nn"},
    {"zero", "nn"},
    {"copy", "nrnn"},
    {"pick_uniform", "n"},
    {"pick_zipf", "zn"},
    {"write_random_uniform", "nn"},
    {"write_random_zipf", "nzn"},
    {"rewrite_uniform", "n"},
    {"rewrite_zipf", "nz"},
    {"read_uniform", "n"},
    {"read_zipf", "nz"},
};

static void prim_args(struct gen *g, const char *args, int first)
{
	size_t n = strlen(args);
	/* Now and then one argument fewer (optional ones) or one more. */
	unsigned shape = TAKE(8);
	if (shape == 6 && n)
		n--;
	for (size_t i = 0; i < n; i++) {
		if (!first || i)
			PUT(", ");
		if (args[i] == 's')
			string_arg(g);
		else if (args[i] == 'z')
			zipf_s(g);
		else if (args[i] == 'r')
			region(g);
		else
			num(g);
	}
	if (shape == 7)
		PUT("%s1", n || !first ? ", " : "");
}

/* One primitive call on a region held in the local R, in one of the three
 * ways the API allows (method, mem.prim, R.prim), its result kept or not. */
static void prim_call(struct gen *g)
{
	const struct prim *p = &PICK(prims);
	PUT("do local R = ");
	region(g);
	g->have_region = 1;
	unsigned keep = TAKE(8);
	PUT("; %s%s", keep == 1 ? "keep.r = R; " : "", keep >= 5 ? "keep.n = " : "");
	switch (TAKE(4)) {
	case 0:
		PUT("%s.%s(R", mem_name(g), p->name);
		prim_args(g, p->args, 0);
		break;
	case 1:
		PUT("R.%s(R", p->name);
		prim_args(g, p->args, 0);
		break;
	default:
		PUT("R:%s(", p->name);
		prim_args(g, p->args, 1);
	}
	PUT(") end\n");
	g->have_region = 0;
}

/* A table whose finalizer runs whenever the collector gets to it: during a
 * later step, while the host reads the script's table, or at lua_close. */
static void finalizer(struct gen *g)
{
	int was_gc = g->in_gc, had_mem = g->have_mem;
	PUT("%ssetmetatable({}, {__gc = function(o)\n", TAKE(2) ? "keep.f = " : "");
	g->in_gc = g->have_mem = 1;
	g->depth++;
	block(g, 3);
	g->depth--;
	g->in_gc = was_gc;
	g->have_mem = had_mem;
	PUT("end})\n");
}

/* Allocation to give the collector work. */
static void garbage(struct gen *g)
{
	static const unsigned loops[] = {10, 100, 1000, 5000, 20000, 100000};
	static const unsigned slots[] = {1, 8, 64, 1024};
	unsigned n = PICK(loops), s = PICK(slots);
	switch (TAKE(4)) {
	case 0:
		PUT("for i = 1, %u do keep[i %% %u + 1] = { i, tostring(i) .. \"x\", "
		    "string.rep(\"g\", i %% 97) } end\n",
		    n, s);
		break;
	case 1:
		PUT("do local t = {} for i = 1, %u do t[i] = {} end end\n", n);
		break;
	case 2:
		PUT("keep.big = string.rep(\"x\", %u)\n", 1u << TAKE(27));
		break;
	default:
		PUT("for i = 1, %u do local s = tostring(i) .. tostring(i * 2) keep[%u] = s end\n",
		    n, 1 + TAKE(4));
	}
}

static void collect(struct gen *g)
{
	PUT("collectgarbage(");
	PUT_ONE_OF("\"collect\"|\"step\"|\"step\", 100|\"incremental\"|\"generational\"|\"stop\"|"
		   "\"restart\"|\"count\"|\"isrunning\"|\"bogus\"|\"step\", 1e9");
	PUT(")\n");
}

/* Calls of the string library whose work happens in C, some of them
 * backtracking for hours. */
static void strings(struct gen *g)
{
	static const unsigned reps[] = {1, 10, 100, 1000, 10000, 100000};
	char fn[16], subject[16];
	one_of(&g->in, "find|match|gsub|gmatch", fn, sizeof fn);
	one_of(&g->in, "a|ab|aaaaaaaaab|a.b.c", subject, sizeof subject);
	int gmatch = !strcmp(fn, "gmatch");
	PUT("keep.s = ");
	if (gmatch)
		PUT("(function() local n = 0 for _ in ");
	PUT("string.%s(string.rep(\"%s\", %u), \"", fn, subject, PICK(reps));
	PUT_ONE_OF("a*b|.-.-.-.-.-c|(.-)(.-)(.-)$|%w+|[^b]*b|(a*)(a*)(a*)c|a-a-a-a-a-a-a-c|%b()|"
		   "(()|[a-");
	PUT("\"%s)", !strcmp(fn, "gsub") ? ", \"%0%0\"" : "");
	if (gmatch)
		PUT(" do n = n + 1 end return n end)()");
	PUT("\n");
}

/* Writes to what the host hands out read-only, and to the script's own
 * table T (which the host may be reading when a finalizer runs). */
static void tamper(struct gen *g)
{
	const char *m = mem_name(g);
	switch (g->have_mem ? TAKE(8) : 7) {
	case 0:
		PUT("%s.r0 = nil\n", m);
		break;
	case 1:
		PUT("%s.extra = 1\n", m);
		break;
	case 2:
		PUT("do local R = %s.r0 R.size = 1 end\n", m);
		break;
	case 3:
		PUT("p.p0 = {}\n");
		break;
	case 4:
		PUT("%s.inc = nil\n", m);
		break;
	case 5:
		PUT("setmetatable(%s, nil)\n", m);
		break;
	default:
		PUT("if T then T.");
		PUT_ONE_OF("name = nil|name = \"n\" .. #keep|description = string.rep(\"d\", 999)|"
			   "params = nil|params = { p0 = 1 }|regions = nil|regions = {}|step = nil|"
			   "init = nil|step = function() return 1 end|name = {}");
		PUT(" end\n");
	}
}

/* The rest of the sandbox. */
static void misc(struct gen *g)
{
	switch (TAKE(9)) {
	case 0:
		PUT("math.randomseed()\n");
		break;
	case 1:
		PUT("math.randomseed(%u)\n", TAKE(65536));
		break;
	case 2:
		PUT("keep.n = math.random(%u)\n", 1 + TAKE(1000));
		break;
	case 3:
		PUT("keep.l = load(\"return 1 + 1\")()\n");
		break;
	case 4:
		PUT("keep.l = load(\"\\27Lua\")\n");
		break;
	case 5:
		PUT("keep.t = table.concat({ 1, 2, \"x\" }, \",\")\n");
		break;
	case 6:
		PUT("keep.c = coroutine and coroutine.wrap(function() end)\n");
		break;
	case 7:
		PUT("while true do end\n");
		break;
	default:
		PUT("keep.u = utf8.char(%u)\n", TAKE(65536) * 40);
	}
}

static void raise(struct gen *g)
{
	PUT("error(");
	PUT_ONE_OF("\"boom\"|\"boom\", 0|{}|nil|\"a\\nb\"|\"%s%n\"|string.rep(\"e\", 2000)");
	PUT(")\n");
}

/* Draws from the workload's stream and the units helpers, kept. */
static void helper(struct gen *g)
{
	const char *m = mem_name(g);
	PUT("keep.n = ");
	switch (g->have_mem ? TAKE(4) : 3) {
	case 0:
		PUT("%s.random_below(", m);
		num(g);
		PUT(")");
		break;
	case 1:
		PUT("%s.random(", m);
		if (TAKE(2))
			num(g);
		PUT(")");
		break;
	case 2:
		PUT("%s.now()", m);
		break;
	default:
		units_call(g);
	}
	PUT("\n");
}

static void bytes_copy(struct gen *g)
{
	PUT("do local R = ");
	region(g);
	g->have_region = 1;
	PUT(" local s = R:bytes(");
	num(g);
	PUT(", ");
	num(g);
	PUT(") R:write(");
	num(g);
	PUT(", s) end\n");
	g->have_region = 0;
}

/* A block inside the one being written: pcall, loop, branch. */
static void nested(struct gen *g, unsigned k)
{
	g->depth++;
	if (k == 0) {
		PUT("pcall(function()\n");
		block(g, 3);
		PUT("end)\n");
	} else if (k == 1) {
		PUT("for i = 1, %u do\n", TAKE(17));
		block(g, 3);
		PUT("end\n");
	} else {
		if (g->have_mem && TAKE(2))
			PUT("if %s.now() > %u then\n", mem_name(g), TAKE(20) * 1000000);
		else
			PUT("if (keep.n or 0) %% 2 == 0 then\n");
		block(g, 3);
		PUT("else\n");
		block(g, 2);
		PUT("end\n");
	}
	g->depth--;
}

/* One statement; a primitive call most often where mem is at hand. */
static void stmt(struct gen *g)
{
	if (g->out.len > MAX_SCRIPT)
		return;
	unsigned k = TAKE(32);
	if (g->depth >= MAX_DEPTH && k >= 18 && k <= 21)
		k = 0;
	if (!g->have_mem && (k < 18 || k == 31))
		k = 22;
	switch (k) {
	case 18:
	case 19:
	case 20:
		nested(g, k - 18);
		break;
	case 21:
		finalizer(g);
		break;
	case 22:
	case 23:
		garbage(g);
		break;
	case 24:
		collect(g);
		break;
	case 25:
		strings(g);
		break;
	case 26:
		tamper(g);
		break;
	case 27:
		misc(g);
		break;
	case 28:
		raise(g);
		break;
	case 29:
	case 30:
		helper(g);
		break;
	case 31:
		bytes_copy(g);
		break;
	default:
		prim_call(g);
	}
}

static void block(struct gen *g, unsigned max)
{
	for (unsigned n = TAKE(max + 1); n; n--)
		stmt(g);
}

/* --- the script table ---------------------------------------------------------- */

static void param_value(struct gen *g)
{
	unsigned k = TAKE(10);
	if (k < 4)
		PUT("%u", TAKE(65536));
	else if (k == 4)
		PUT_ONE_OF("1|0|-1|2.5|1e9|100|4096|1e300|math.maxinteger|0/0");
	else if (k < 9)
		unit_string(g);
	else
		odd_value(g);
}

static void params(struct gen *g)
{
	PUT("\tparams = { ");
	for (unsigned i = 0; i < g->n_params; i++) {
		PUT("p%u = ", i);
		param_value(g);
		PUT(", ");
	}
	switch (TAKE(32)) {
	case 0:
		PUT("[\"a b\"] = 1, ");
		break;
	case 1:
		PUT("[1] = 2, ");
		break;
	}
	PUT("},\n");
}

/* A region's size: mostly whole pages that fit a few MiB, then the rest. */
static void region_size(struct gen *g, int in_function)
{
	unsigned k = TAKE(32);
	if (!in_function && (k == 26 || k == 27))
		k = 0;
	switch (k) {
	case 26:
		if (g->n_params)
			PUT("%sp.p%u)", TAKE(2) ? "size(" : "(", TAKE(g->n_params));
		else
			PUT("machine.ram // %u", 1 + TAKE(8));
		break;
	case 27:
		PUT("machine.page_size * %u", TAKE(300));
		break;
	case 28:
	case 29:
		if (TAKE(2))
			unit_string(g);
		else
			huge(g);
		break;
	case 30:
	case 31:
		if (TAKE(2))
			fraction(g);
		else
			odd_value(g);
		break;
	default:
		if (k < 16)
			PUT("%u * 4096", 1 + TAKE(64));
		else if (k < 20)
			PUT("%u", 1 + TAKE(20000));
		else
			PUT("\"%uKiB\"", 1 + TAKE(512));
	}
}

static void region_list(struct gen *g, int in_function)
{
	PUT("{ ");
	for (unsigned i = 0; i < g->n_regions; i++) {
		unsigned shape = TAKE(64);
		if (shape == 1) {
			PUT("{ name = \"");
			PUT_ONE_OF("now|inc|1x|a b||r0|copy|region|page_size");
			PUT("\", size = ");
		} else if (shape == 2) {
			PUT("{ size = ");
		} else {
			PUT("{ name = \"r%u\", size = ", i);
		}
		if (shape == 3)
			PUT("nil");
		else
			region_size(g, in_function);
		PUT("%s }, ", shape == 4 ? ", base = 0" : "");
	}
	PUT("}");
}

static void regions(struct gen *g)
{
	unsigned k = TAKE(16);
	switch (k < 8 ? 0 : k) {
	case 0:
		PUT("\tregions = ");
		region_list(g, 0);
		PUT(",\n");
		break;
	case 15:
		PUT("\tregions = ");
		PUT_ONE_OF("5|\"x\"|function() end|function() error(\"no\") end|{ 1 }");
		PUT(",\n");
		break;
	default:
		PUT("\tregions = function(p, machine)\n");
		g->depth = 1;
		block(g, 2);
		g->depth = 0;
		PUT("\t\treturn ");
		region_list(g, 1);
		PUT("\n\tend,\n");
	}
}

/* What step returns: mostly a cost of a few ms, then every bad kind. */
static void cost(struct gen *g)
{
	unsigned k = TAKE(32);
	if (k < 14) {
		PUT("ms(%u)", 1 + TAKE(20));
	} else if (k < 18) {
		PUT("us(%u)", 100 + TAKE(5000));
	} else if (k < 20) {
		PUT("%u", 100000 * (1 + TAKE(100)));
	} else if (k == 20) {
		PUT("ms(%u) * mem.random() + 1", 1 + TAKE(10));
	} else if (k == 21) {
		PUT("duration(p.p0 or \"1ms\")");
	} else if (k == 22) {
		PUT("duration(");
		unit_string(g);
		PUT(")");
	} else {
		PUT_ONE_OF("0|-1|0/0|math.maxinteger|2^63|1e300|\"1ms\"|nil||1|0.4|-0.0|1/0|"
			   "math.mininteger|{}|true|2^53|ms(1), 5|0.5|1.5|sec(3600)|-1/0|\"1000\"|"
			   "1e-300|2^62|(1<<62)|sec(1e9)");
	}
}

/* A metatable on the script table: the host's reads run Lua code. */
static void script_metatable(struct gen *g)
{
	PUT("setmetatable(T, { __index = function(t, k)\n");
	g->depth = 1;
	block(g, 2);
	g->depth = 0;
	PUT("\treturn ");
	PUT_ONE_OF("nil|1|\"x\"|function() return 1 end");
	PUT("\nend })\n");
}

static void script(struct gen *g)
{
	g->n_regions = 1 + TAKE(MAX_REGIONS);
	if (TAKE(32) == 31)
		g->n_regions = 0;
	PUT("local M, T\nlocal keep = {}\n");
	/* The top level runs while the script loads. */
	block(g, TAKE(4) == 0 ? 2 : 0);
	unsigned shape = TAKE(64);
	if (shape == 1) {
		PUT("return 5\n");
		return;
	}
	PUT("T = {\n");
	if (shape == 2)
		PUT("\tname = \"a b\",\n");
	else if (shape == 3)
		PUT("\tname = 5,\n");
	else if (shape != 4)
		PUT("\tname = \"fz\",\n");
	if (shape != 5)
		PUT("\tdescription = \"generated by fuzz_workload\",\n");
	if (g->n_params || TAKE(2))
		params(g);
	regions(g);
	if (TAKE(3) == 0) {
		PUT("\tinit = function(mem, p)\n\t\tM = mem\n");
		g->have_mem = 1;
		block(g, 6);
		g->have_mem = 0;
		PUT("\tend,\n");
	}
	if (shape != 6) {
		PUT("\tstep = function(mem, p)\n\t\tM = mem\n");
		g->have_mem = 1;
		block(g, 8);
		g->have_mem = 0;
		PUT("\t\treturn ");
		cost(g);
		PUT("\n\tend,\n");
	}
	if (shape == 7)
		PUT("\tsetp = 1,\n");
	PUT("}\n");
	if (shape == 8)
		script_metatable(g);
	/* Work for the collector while the host reads T. */
	block(g, TAKE(4) == 0 ? 2 : 0);
	PUT("return T\n");
}

/* --- the run's options ------------------------------------------------------------- */

/* Stage 2's options as `migsim run` spells them, parsed by the same
 * functions the CLI uses. */
struct opts {
	char ram[16], page_size[16], bandwidth[16], warmup[16], timeout[16], mode[16];
	char caps[64], postcopy[32];
	char param[2][40];
	size_t n_param;
	char wl_name[MAX_OVERRIDES][8];
	char wl_value[MAX_OVERRIDES][24];
	struct wl_override wl[MAX_OVERRIDES];
	size_t n_wl;
};

#define OPT(field, list) one_of(in, (list), o->field, sizeof o->field)

static void choose_opts(struct in *in, struct opts *o, unsigned n_params)
{
	static const char *const cap[] = {"xbzrle", "auto-converge", "postcopy-ram",
					  "postcopy-preempt"};
	memset(o, 0, sizeof *o);
	OPT(ram, "2MiB|1MiB|4MiB|3MiB|2MiB|1MiB|4MiB|1028KiB");
	OPT(page_size, "4KiB|4KiB|4KiB|512|8KiB|64KiB");
	OPT(bandwidth, "125MB/s|10MB/s|1MB/s|1GB/s|1kB/s|1TB/s");
	OPT(warmup, "5ms|0|1ms|20ms");
	OPT(timeout, "100ms|20ms|50ms|300ms");
	OPT(mode, "precopy|precopy|precopy|stop-and-copy");
	unsigned bits = take(in, 16);
	for (unsigned i = 0; i < COUNT(cap); i++)
		if (bits & 1u << i)
			snprintf(o->caps + strlen(o->caps), sizeof o->caps - strlen(o->caps),
				 "%s%s", o->caps[0] ? "," : "", cap[i]);
	OPT(postcopy, "|||immediately|after-first-pass|after-passes=2|after=5ms|when-stuck");
	o->n_param = take(in, 3);
	for (size_t i = 0; i < o->n_param; i++) {
		OPT(param[i], "downtime-limit=0|downtime-limit=1ms|max-bandwidth=0|max-bandwidth=1|"
			      "xbzrle-cache-size=0|xbzrle-cache-size=4KiB|cpu-throttle-initial=99|"
			      "cpu-throttle-increment=100|max-cpu-throttle=1|"
			      "throttle-trigger-threshold=1|cpu-throttle-tailslow=on|"
			      "max-postcopy-bandwidth=1|zero-page-detection=none|"
			      "device-state-size=0|device-state-size=1GiB|send-buffer-size=0|"
			      "send-buffer-size=1|setup-cost=0|setup-cost=10s|"
			      "xbzrle-encode-cost=0|xbzrle-encode-cost=1e9|"
			      "avail-switchover-bandwidth=1");
	}
	o->n_wl = take(in, 2 * MAX_OVERRIDES);
	if (o->n_wl > MAX_OVERRIDES)
		o->n_wl = 0;
	for (size_t i = 0; i < o->n_wl; i++) {
		unsigned which = take(in, 2 * n_params + 2);
		if (which < 2 * n_params)
			snprintf(o->wl_name[i], sizeof o->wl_name[i], "p%u", which / 2);
		else
			snprintf(o->wl_name[i], sizeof o->wl_name[i], "%s",
				 which == 2 * n_params ? "zz" : "");
		OPT(wl_value[i], "5|-3|1e400|nan|0x1p4|  7||abc|1ms|2.5|99999999999999999999|4096|"
				 "16KiB|inf|-0|1e-5");
		o->wl[i] = (struct wl_override){o->wl_name[i], o->wl_value[i]};
	}
}

/* The run_config the options give; -1 if the CLI would refuse them. */
static int make_config(const struct opts *o, const char *path, struct run_config *c)
{
	err e;
	uint64_t psz;
	run_config_defaults(c);
	c->workload_path = path;
	c->wl_params = o->wl;
	c->n_wl_params = o->n_wl;
	c->mode = strcmp(o->mode, "precopy") ? MIG_MODE_STOP_AND_COPY : MIG_MODE_PRECOPY;
	if (units_size(o->ram, &c->ram_bytes, &e) < 0 || units_size(o->page_size, &psz, &e) < 0 ||
	    units_rate(o->bandwidth, &c->bandwidth, &e) < 0 ||
	    units_duration(o->warmup, 0, &c->warmup, &e) < 0 ||
	    units_duration(o->timeout, 0, &c->timeout, &e) < 0 ||
	    caps_parse_list(o->caps, &c->caps_requested, &e) < 0)
		return -1;
	c->page_size = (uint32_t)psz;
	if (o->postcopy[0]) {
		if (postcopy_parse(o->postcopy, &c->postcopy, &e) < 0)
			return -1;
		c->caps_requested |= CAP_POSTCOPY_RAM;
	}
	for (size_t i = 0; i < o->n_param; i++)
		if (params_set(&c->params, o->param[i], &e) < 0)
			return -1;
	run_negotiate_caps(c);
	return 0;
}

static void print_command(FILE *f, const struct opts *o, const char *path)
{
	fprintf(f,
		"-- migsim run %s --no-db --ram %s --page-size %s --bandwidth %s --warmup %s "
		"--timeout %s --mode %s",
		path, o->ram, o->page_size, o->bandwidth, o->warmup, o->timeout, o->mode);
	if (o->caps[0])
		fprintf(f, " --cap %s", o->caps);
	if (o->postcopy[0])
		fprintf(f, " --postcopy %s", o->postcopy);
	for (size_t i = 0; i < o->n_param; i++)
		fprintf(f, " --param %s", o->param[i]);
	for (size_t i = 0; i < o->n_wl; i++)
		fprintf(f, " '--wl-param=%s=%s'", o->wl[i].name, o->wl[i].value);
	fprintf(f, "\n");
}

/* --- running it -------------------------------------------------------------------- */

static int verbose; /* FUZZ_WL_PRINT */

/* A stage ended in an error: it must say why. */
static void failed(int stage, const err *e)
{
	REQUIRE(e->msg[0] != '\0');
	if (verbose)
		fprintf(stderr, "-- stage %d: error: %s\n", stage, e->msg);
}

/* Stage 1: the host alone under tight limits. 1 when the script's steps ran
 * clean and are long enough for stage 2, else 0. */
static int run_host(const struct run_config *c, size_t heap_cap)
{
	struct guest_config gc = {
	    .ram_bytes = c->ram_bytes, .page_size = c->page_size, .content_seed = 7};
	struct wl_config wc = {.path = c->workload_path,
			       .params = c->wl_params,
			       .n_params = c->n_wl_params,
			       .seed = c->seed,
			       .ram_bytes = c->ram_bytes,
			       .page_size = c->page_size,
			       .instr_budget = HOST_BUDGET,
			       .heap_cap = heap_cap};
	guest *gu = NULL;
	wl *w = NULL;
	err e = {{0}};
	/* Steps start where stage 2 ends, so that work growing with mem.now()
	 * is as large here as it will be there. */
	const int64_t start = c->warmup + c->timeout;
	int64_t now = start;
	int i = 0;
	char name[64], desc[256];
	if (guest_new(&gu, &gc, &e) < 0 || wl_open(&w, &wc, &e) < 0 || wl_init(w, gu, &e) < 0) {
		failed(1, &e);
		goto out;
	}
	/* wl_describe runs the script's top level with the default budget (100 M
	 * instructions, seconds under the sanitizers): only once wl_open has
	 * shown that it fits in HOST_BUDGET. */
	if (wl_describe(c->workload_path, name, sizeof name, desc, sizeof desc, &e) < 0)
		failed(1, &e);
	REQUIRE(wl_name(w) != NULL && wl_params_json(w) != NULL);
	for (; i < HOST_STEPS && now - start < HOST_HORIZON; i++) {
		int64_t cost = 0;
		if (wl_step(w, gu, now, &cost, NULL, &e) < 0 ||
		    journal_flush(wl_journal(w), gu, &e) < 0) {
			failed(1, &e);
			goto out;
		}
		REQUIRE(cost > 0);
		now = cost > INT64_MAX - now ? INT64_MAX : now + cost;
	}
	if (verbose)
		fprintf(stderr, "-- stage 1: %d steps, %lld ns\n", i, (long long)(now - start));
out:
	wl_free(w);
	guest_free(gu);
	return now - start >= HOST_HORIZON;
}

/* Stage 2: a whole migration. */
static void run_whole(const struct run_config *c)
{
	struct run_result r;
	err e = {{0}};
	if (run_execute(c, &r, &e) < 0) {
		failed(2, &e);
		return;
	}
	REQUIRE(r.status == MIG_STATUS_COMPLETED || r.status == MIG_STATUS_FAILED);
	REQUIRE(r.status == MIG_STATUS_COMPLETED || r.error[0] != '\0');
	REQUIRE(r.wl_name != NULL);
	if (verbose)
		fprintf(stderr, "-- stage 2: %s %s, %llu guest steps\n",
			r.status == MIG_STATUS_COMPLETED ? "completed" : "failed:", r.error,
			(unsigned long long)r.guest_steps);
	run_result_free(&r);
}

static char script_path[256];

static void remove_script(void)
{
	unlink(script_path);
}

static void write_script(const char *text, size_t len)
{
	if (!script_path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(script_path, sizeof script_path, "%s/fuzz_workload.%ld.lua",
			 dir && dir[0] ? dir : "/tmp", (long)getpid());
		atexit(remove_script);
		verbose = getenv("FUZZ_WL_PRINT") != NULL;
	}
	FILE *f = fopen(script_path, "w");
	REQUIRE(f);
	REQUIRE(fwrite(text, 1, len, f) == len);
	REQUIRE(fclose(f) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t heap_caps[] = {2u << 20, 256u << 10, 16u << 20};
	struct gen g = {.in = {data, size, 0}};
	struct opts o;
	/* The options come first, so a mutation of the script leaves them be. */
	g.n_params = take(&g.in, MAX_PARAMS + 1);
	choose_opts(&g.in, &o, g.n_params);
	size_t heap_cap = heap_caps[take(&g.in, COUNT(heap_caps))];
	script(&g);
	write_script(g.out.s, g.out.len);
	if (verbose) {
		print_command(stderr, &o, script_path);
		fprintf(stderr, "-- stage 1 heap cap %zu bytes\n%s", heap_cap, g.out.s);
	}
	struct run_config c;
	if (make_config(&o, script_path, &c) == 0 && run_host(&c, heap_cap))
		run_whole(&c);
	free(g.out.s);
	return 0;
}
