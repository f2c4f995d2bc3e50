/*
 * json — a small JSON writer into a growable buffer: the query-migrate-shaped
 * reply of `migsim run --json`, the settings stored with each run, exports.
 * Keys are written in the order the caller gives them (callers sort where
 * order would otherwise depend on a hash), numbers in a fixed format, so the
 * same data always gives the same bytes.
 *
 * Usage: jw w; jw_init(&w, 1); jw_obj(&w, NULL); jw_int(&w, "a", 1);
 * jw_end(&w); puts(jw_text(&w)); jw_free(&w);
 * A key is required inside objects and must be NULL inside arrays.
 * Out-of-memory is sticky: jw_text returns NULL afterwards; so is nesting
 * deeper than JW_MAX_DEPTH, which is treated as a failure the same way.
 */
#ifndef MIGSIM_JSON_H
#define MIGSIM_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 64

typedef struct jw {
	char *buf;
	size_t len, cap;
	int pretty;
	int depth;
	int need_comma; /* a value was written at the current depth */
	int oom;
	uint64_t arrays; /* bit d-1 set: the container at depth d is an array */
} jw;

void jw_init(jw *w, int pretty);
void jw_free(jw *w);
void jw_obj(jw *w, const char *key); /* begins an object */
void jw_arr(jw *w, const char *key); /* begins an array */
void jw_end(jw *w);                  /* ends the innermost object or array */
void jw_str(jw *w, const char *key, const char *value); /* NULL value writes null */
void jw_int(jw *w, const char *key, int64_t value);
void jw_uint(jw *w, const char *key, uint64_t value);
/* Finite doubles with up to 17 significant digits ("%.17g" trimmed to the
 * shortest form that reads back the same); NaN and infinities write null. */
void jw_num(jw *w, const char *key, double value);
void jw_bool(jw *w, const char *key, int value);
void jw_null(jw *w, const char *key);
/* Inserts already-encoded JSON text as a value. */
void jw_raw(jw *w, const char *key, const char *json);
const char *jw_text(const jw *w); /* NUL-terminated; NULL after out-of-memory */

/* Appends `s` to w as a JSON string literal (quotes and escapes). */
void jw_escape(jw *w, const char *s);

#endif
