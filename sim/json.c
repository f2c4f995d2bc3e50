/*
 * json — the writer declared in json.h. Output is a pure function of the
 * calls made: no locale, no hash order, numbers in the shortest form that
 * reads back to the same double, so stored settings and replies of identical
 * runs are byte-identical and can be compared as text.
 *
 * Pretty output indents by two spaces, puts one member per line and writes
 * empty containers as {} and []; compact output has no whitespace at all.
 * Neither ends with a newline.
 */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w, int pretty)
{
	memset(w, 0, sizeof *w);
	w->pretty = pretty;
}

void jw_free(jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

/* Makes room for n more bytes and the terminating NUL. */
static int reserve(jw *w, size_t n)
{
	if (w->oom)
		return -1;
	if (w->len + n + 1 <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < w->len + n + 1) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	char *b = realloc(w->buf, cap);
	if (!b)
		goto fail;
	w->buf = b;
	w->cap = cap;
	return 0;
fail:
	w->oom = 1;
	return -1;
}

static void put(jw *w, const char *s, size_t n)
{
	if (reserve(w, n) < 0)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(jw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void newline(jw *w)
{
	if (!w->pretty)
		return;
	put(w, "\n", 1);
	for (int i = 0; i < w->depth; i++)
		put(w, "  ", 2);
}

static int in_array(const jw *w)
{
	return w->depth > 0 && (w->arrays >> (w->depth - 1) & 1);
}

/* Everything that goes before a value: comma, line break, key. */
static void begin_value(jw *w, const char *key)
{
	if (w->need_comma)
		put(w, ",", 1);
	if (w->depth > 0)
		newline(w);
	/* Only objects have keys; a stray one elsewhere is dropped rather than
	 * making the text invalid, and a missing one becomes "". */
	if (w->depth > 0 && !in_array(w)) {
		jw_escape(w, key ? key : "");
		put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	}
	w->need_comma = 1;
}

static void open_container(jw *w, const char *key, int array)
{
	begin_value(w, key);
	if (w->depth >= JW_MAX_DEPTH) {
		w->oom = 1;
		return;
	}
	put(w, array ? "[" : "{", 1);
	w->arrays = (w->arrays & ~(1ull << w->depth)) | ((uint64_t)array << w->depth);
	w->depth++;
	w->need_comma = 0;
}

void jw_obj(jw *w, const char *key)
{
	open_container(w, key, 0);
}

void jw_arr(jw *w, const char *key)
{
	open_container(w, key, 1);
}

void jw_end(jw *w)
{
	if (w->depth == 0)
		return;
	int array = in_array(w), empty = !w->need_comma;
	w->depth--;
	if (!empty)
		newline(w);
	put(w, array ? "]" : "}", 1);
	w->need_comma = 1;
}

void jw_escape(jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	put(w, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *esc = NULL;
		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		}
		if (esc) {
			puts_(w, esc);
		} else if (*p < 0x20) {
			char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
			put(w, u, 6);
		} else {
			/* Bytes of 0x80 and up are UTF-8 sequences: copied as they are. */
			put(w, (const char *)p, 1);
		}
	}
	put(w, "\"", 1);
}

void jw_str(jw *w, const char *key, const char *value)
{
	begin_value(w, key);
	if (value)
		jw_escape(w, value);
	else
		puts_(w, "null");
}

void jw_int(jw *w, const char *key, int64_t value)
{
	char b[24];
	begin_value(w, key);
	snprintf(b, sizeof b, "%lld", (long long)value);
	puts_(w, b);
}

void jw_uint(jw *w, const char *key, uint64_t value)
{
	char b[24];
	begin_value(w, key);
	snprintf(b, sizeof b, "%llu", (unsigned long long)value);
	puts_(w, b);
}

/* The shortest of %.15g, %.16g, %.17g that strtod reads back exactly. */
static void shortest(char *b, size_t n, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(b, n, "%.*g", prec, v);
		if (strtod(b, NULL) == v)
			return;
	}
}

void jw_num(jw *w, const char *key, double value)
{
	char b[32];
	begin_value(w, key);
	if (!isfinite(value)) {
		puts_(w, "null");
		return;
	}
	shortest(b, sizeof b, value);
	puts_(w, b);
}

void jw_bool(jw *w, const char *key, int value)
{
	begin_value(w, key);
	puts_(w, value ? "true" : "false");
}

void jw_null(jw *w, const char *key)
{
	begin_value(w, key);
	puts_(w, "null");
}

void jw_raw(jw *w, const char *key, const char *json)
{
	begin_value(w, key);
	puts_(w, json ? json : "null");
}

const char *jw_text(const jw *w)
{
	if (w->oom)
		return NULL;
	return w->buf ? w->buf : "";
}
