/*
 * xbzrle — QEMU's XBZRLE page delta: the encoder the migration thread runs
 * on a page it sent before (the old bytes come from the page cache, pcache.h)
 * and the decoder the destination applies to the page it holds.
 *
 * Wire format (QEMU's). Over old XOR new, a "zero" byte is an unchanged byte.
 * A delta is a sequence of triples
 *
 *     zrun length | nzrun length | the nzrun's NEW bytes
 *
 * with both lengths unsigned LEB128 (7 bits a byte, low group first, high
 * bit = more follow). Runs are maximal. Only the first zero run may be 0
 * long (the page changes at byte 0); a non-zero run is never 0 long; the
 * trailing zero run is not written; an identical page encodes to nothing.
 * For pages shorter than 16384 bytes every length fits QEMU's 2-byte
 * LEB128, so the output is what QEMU's own decoder accepts; longer pages
 * (up to 1 MiB and beyond) use longer, still canonical, LEB128 lengths.
 *
 * Overflow rule (QEMU's xbzrle_encode_buffer, so overflow counts match):
 * with d the bytes written so far,
 *   (a) at the top of each loop step, before the zero run is scanned:
 *       d + 2 > limit -> -1. This comes before the "identical page -> 0"
 *       and "only a trailing zero run is left -> done" exits, so an
 *       identical page with limit < 2 is -1, and a delta that would end in
 *       a trailing zero run fails unless 2 bytes are spare after it;
 *   (b) after the zero-run length is written, before the non-zero run is
 *       scanned: d + 2 > limit -> -1;
 *   (c) after the non-zero-run length is written: d + nzrun > limit -> -1.
 * Beyond QEMU: a length whose LEB128 needs more bytes than remain is -1
 * (only possible for runs >= 16384), so nothing is ever written at or past
 * out[limit]. A page of length 0 encodes to 0 whatever the limit. limit is
 * clamped to INT_MAX.
 *
 * Every implementation gives byte-identical output and the same -1
 * decisions for every input and limit; they differ only in speed.
 */
#ifndef MIGSIM_XBZRLE_H
#define MIGSIM_XBZRLE_H

#include <stddef.h>
#include <stdint.h>

/* Returned by xbz_encode_with() for an implementation this CPU (or this
 * build) does not have: distinct from the overflow -1. */
#define XBZ_UNAVAILABLE (-2)

enum xbz_impl {
	XBZ_SCALAR_REF,	 /* byte by byte: the definition the others must match */
	XBZ_SCALAR_WORD, /* 8 bytes at a time, portable C */
	XBZ_SSE2,	 /* x86-64 only */
	XBZ_AVX2,
	XBZ_AVX512BW,
	XBZ_IMPL_COUNT
};

/* Encodes new_page against old_page (both len bytes, any alignment) into
 * out[0..limit): the encoded length, 0 when the pages are identical, -1 on
 * overflow (rule above). Runs the fastest implementation this CPU has,
 * chosen once on first use. */
int xbz_encode(const uint8_t *old_page, const uint8_t *new_page, size_t len, uint8_t *out,
	       size_t limit);
/* The same with a given implementation; XBZ_UNAVAILABLE if it cannot run. */
int xbz_encode_with(enum xbz_impl impl, const uint8_t *old_page, const uint8_t *new_page,
		    size_t len, uint8_t *out, size_t limit);

/* 1 when impl can run here (compiled in and the CPU has the instructions). */
int xbz_impl_available(enum xbz_impl impl);
/* "scalar-ref", "scalar-word", "sse2", "avx2", "avx512bw"; "?" if unknown. */
const char *xbz_impl_name(enum xbz_impl impl);
/* The implementation xbz_encode() uses. */
enum xbz_impl xbz_impl_selected(void);

/* Applies delta onto page (len bytes, holding the old bytes) in place: 0 on
 * success (delta_len 0 is an unchanged page). Malformed input is -1 with
 * *why (if why is not NULL) set to a static description, and then the page
 * is untouched: the whole delta is checked before any byte is written.
 * Rejected: a truncated LEB128 length; an over-long one (more bits than 64,
 * a redundant trailing 0 group, or a value above len); a 0-long zero run
 * anywhere but first; a 0-long non-zero run; a run past the page end; run
 * bytes past the delta end; trailing bytes that are not a whole triple.
 * Never reads or writes outside delta[0..delta_len) and page[0..len). */
int xbz_decode(uint8_t *page, size_t len, const uint8_t *delta, size_t delta_len, const char **why);

#endif
