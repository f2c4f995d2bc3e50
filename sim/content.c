/*
 * content — the bytes of a page in each content class (see content.h).
 *
 * (content seed, page, version) seed a splitmix64 stream (rng_mix, then the
 * splitmix64 sequence from there); the class's generator reads it its own
 * way. A generator writes a whole page in one pass, 8 or 16 bytes at a
 * store and without a branch on what it draws, because the migration
 * generates a procedural page every time it reads one. Best of 7 runs of
 * 20000 4 KiB pages on this project's 2-core machine: random 0.5 us a page
 * (guest_bench, under load: 0.8-1.2), heap 0.7, text 1.4, pagecache-mix 1.3,
 * code 1.7.
 *
 * Each class has a target band for zlib's ratio (compressed / original
 * bytes, level 6, every 4 KiB page compressed on its own, as a per-page
 * compressor sees them), checked by tests/unit/test_content.c on 256
 * generated pages. The bands come from real bytes measured the same way
 * (4 KiB pages, zlib level 6, Python's zlib, Debian 12 on x86-64):
 *
 *   zero           every byte 0. Generated: 0.006 (zlib's header and
 *                  end of stream); band <= 0.01.
 *   random         incompressible: encrypted or already compressed data.
 *                  Word i is the splitmix64 sequence's i-th output, the
 *                  bytes every rewritten page had before classes existed.
 *                  /dev/urandom measured 1.003 (zlib's stored blocks add a
 *                  few bytes); band 0.99 .. 1.01.
 *   text           English-like prose: words drawn from a 128-word list in
 *                  tiers (a quarter of the draws from the 16 most common, a
 *                  quarter from the 64 most, half from all), some followed
 *                  by a comma, full stop or line end. Generated: 0.39. The
 *                  GPL-3, GFDL-1.3, Apache-2.0 and LGPL-2.1 texts measured
 *                  0.417, vim's user manual (usr_0*.txt) 0.421; band
 *                  0.35 .. 0.50.
 *   code           x86-64-like machine code: entries drawn from a table of
 *                  64, the commonest instructions (mov, lea, call, jcc,
 *                  push, pop, test, cmp, add/sub rsp, ...) some twice or
 *                  three times, and 16 fixed runs compilers emit over and
 *                  over (prologues, epilogues, endbr64, the stack
 *                  protector's load, nop padding); register fields, small
 *                  displacements and immediates and the low bytes of rel32
 *                  offsets are random; the few bytes left at the page's end
 *                  are int3 padding. Generated: 0.63. The .text sections of
 *                  sqlite3, gcc-12, python3.11, liblua5.4 and libc.so.6
 *                  measured 0.58 .. 0.64; band 0.50 .. 0.70.
 *   heap           a malloc heap, 8-byte words: runs of 1 to 4 zero words
 *                  (a quarter of the draws), pointers into one region (5/16:
 *                  only bits 4..15 vary), small integers (1/4: 8 bits, some
 *                  16), chunk headers (size | 1), short lowercase keys and
 *                  random words (hashes, doubles: 1/32). Generated: 0.27,
 *                  3/4 of the bytes zero. bash's heap measured 0.248 (39 %
 *                  zero bytes), a Python process's anonymous memory
 *                  holding dicts and lists 0.129 (53 %); band 0.15 .. 0.35.
 *   pagecache-mix  what a server's page cache holds: each page is one of
 *                  the above, chosen by its own draw: text 45 %, code 30 %,
 *                  heap 15 % (database and other binary files), random
 *                  10 % (compressed files, media); one page in 8 is a
 *                  file's last page, zero from a random offset on.
 *                  Generated: 0.49. 64 MiB of the files under /usr, /etc
 *                  and /var/lib/dpkg, read in 4 KiB pages (tails
 *                  zero-padded), measured 0.456; band 0.40 .. 0.60.
 *
 * Every class but zero has byte 0 forced non-zero (content_fill), so no
 * procedural page is all zero and the migration's zero-page test can answer
 * for one without reading it.
 */
#include "content.h"

#include <string.h>

#include "rng.h"

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* The next output of the splitmix64 sequence whose state is *s. */
static inline uint64_t mix_next(uint64_t *s)
{
	uint64_t z = (*s += GOLDEN);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* --- zero, random ------------------------------------------------------------------- */

static void fill_zero(uint64_t s, uint8_t *out, uint32_t ps)
{
	(void)s;
	memset(out, 0, ps);
}

static void fill_random(uint64_t s, uint8_t *out, uint32_t ps)
{
	for (uint32_t i = 0; i < ps; i += 8)
		store_le64(out + i, mix_next(&s));
}

/* --- text ---------------------------------------------------------------------------- */

/* A word and what follows it, in a 16-byte slot copied whole (the next word
 * overwrites the slack). In three tiers: the first 16, the first 64, all. */
struct word {
	char s[15];
	uint8_t len;
};

#define W(x)                                                                                       \
	{                                                                                          \
		x, sizeof x - 1                                                                    \
	}

static const struct word words[] = {
    W("the "),	      W("of "),	      W("and "),       W("to "),      W("a "),
    W("in "),	      W("is "),	      W("that "),      W("it "),      W("for "),
    W("was "),	      W("on "),	      W("with "),      W("as "),      W("be "),
    W("The "),	      W("this "),     W("by "),	       W("are "),     W("not "),
    W("or "),	      W("from "),     W("at "),	       W("which "),   W("have "),
    W("an "),	      W("but "),      W("they "),      W("he "),      W("his "),
    W("has "),	      W("had "),      W("were "),      W("their "),   W("one "),
    W("all "),	      W("can "),      W("will "),      W("when "),    W("there "),
    W("been "),	      W("more "),     W("if "),	       W("would "),   W("so "),
    W("what "),	      W("who "),      W("its "),       W("time, "),   W("other "),
    W("into "),	      W("only "),     W("some "),      W("them. "),   W("may "),
    W("than "),	      W("such "),     W("also "),      W("each "),    W("used "),
    W("these "),      W("first "),    W("In "),	       W("It "),      W("system "),
    W("data "),	      W("memory "),   W("page "),      W("file "),    W("process "),
    W("number "),     W("between "),  W("program "),   W("should "),  W("without "),
    W("however, "),   W("because "),  W("under "),     W("through "), W("before "),
    W("after "),      W("where "),    W("value "),     W("state "),   W("version "),
    W("license "),    W("software "), W("work "),      W("must "),    W("any "),
    W("people "),     W("world "),    W("made "),      W("new "),     W("could "),
    W("years "),      W("over "),     W("most "),      W("many "),    W("then "),
    W("those "),      W("about "),    W("like "),      W("our "),     W("out "),
    W("up "),	      W("just "),     W("way. "),      W("part "),    W("said. "),
    W("same "),	      W("while "),    W("given "),     W("order "),   W("case "),
    W("point "),      W("example, "), W("following "), W("general "), W("information "),
    W("possible.\n"), W("changes "),  W("terms "),     W("called "),  W("long "),
    W("used.\n"),     W("below.\n"),  W("To "),
};

_Static_assert(sizeof words / sizeof *words == 128, "text_word draws 7 bits");

/* A word from 9 bits: 2 pick the tier, up to 7 the word in it. */
static inline const struct word *text_word(uint64_t bits)
{
	static const uint8_t tier_mask[4] = {15, 63, 127, 127};
	return &words[(bits >> 2) & tier_mask[bits & 3]];
}

static void fill_text(uint64_t s, uint8_t *out, uint32_t ps)
{
	uint32_t pos = 0;
	/* Seven words a draw, unrolled while they surely fit. */
	while (ps - pos >= 7 * sizeof(struct word)) {
		uint64_t bits = mix_next(&s);
		for (int k = 0; k < 7; k++, bits >>= 9) {
			const struct word *w = text_word(bits);
			memcpy(out + pos, w, sizeof *w);
			pos += w->len;
		}
	}
	while (pos < ps) {
		const struct word *w = text_word(mix_next(&s));
		memcpy(out + pos, w->s, w->len < ps - pos ? w->len : ps - pos);
		pos += w->len;
	}
}

/* --- code ---------------------------------------------------------------------------- */

/* An instruction or a common run of them: its bytes (little endian in
 * `fixed`), with the bits set in `mask` taken from the draw instead. At most
 * 7 bytes, so the draw's top byte, which picks the entry, is never part of
 * an operand. */
struct insn {
	uint64_t fixed, mask;
	uint8_t len;
};

#define LE(a, b, c, d, e, f, g)                                                                    \
	((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24 |          \
	 (uint64_t)(e) << 32 | (uint64_t)(f) << 40 | (uint64_t)(g) << 48)
#define I(n, a, b, c, d, e, f, g, ma, mb, mc, md, me, mf, mg)                                      \
	{                                                                                          \
		LE(a, b, c, d, e, f, g), LE(ma, mb, mc, md, me, mf, mg), n                         \
	}

/* 64 entries drawn alike: the commonest instructions appear more than once,
 * and the last 20 or so are runs compilers emit over and over (prologues,
 * epilogues, stack protector, padding), which give real code its long
 * repeats. */
static const struct insn insns[64] = {
    I(3, 0x48, 0x89, 0xc0, 0, 0, 0, 0, 0, 0, 0x1b, 0, 0, 0, 0),		    /* mov r64, r64 */
    I(3, 0x48, 0x89, 0xc0, 0, 0, 0, 0, 0, 0, 0x1b, 0, 0, 0, 0),		    /* mov r64, r64 */
    I(3, 0x48, 0x89, 0xc0, 0, 0, 0, 0, 0, 0, 0x1b, 0, 0, 0, 0),		    /* mov r64, r64 */
    I(4, 0x48, 0x8b, 0x45, 0, 0, 0, 0, 0, 0, 0x18, 0x78, 0, 0, 0),	    /* mov r64, [rbp-d8] */
    I(4, 0x48, 0x8b, 0x45, 0, 0, 0, 0, 0, 0, 0x18, 0x78, 0, 0, 0),	    /* mov r64, [rbp-d8] */
    I(4, 0x48, 0x8b, 0x45, 0, 0, 0, 0, 0, 0, 0x18, 0x78, 0, 0, 0),	    /* mov r64, [rbp-d8] */
    I(4, 0x48, 0x89, 0x45, 0, 0, 0, 0, 0, 0, 0x18, 0x78, 0, 0, 0),	    /* mov [rbp-d8], r64 */
    I(4, 0x48, 0x89, 0x45, 0, 0, 0, 0, 0, 0, 0x18, 0x78, 0, 0, 0),	    /* mov [rbp-d8], r64 */
    I(4, 0x48, 0x8b, 0x40, 0, 0, 0, 0, 0, 0, 0x1b, 0x38, 0, 0, 0),	    /* mov r64, [r+d8] */
    I(4, 0x48, 0x8b, 0x40, 0, 0, 0, 0, 0, 0, 0x1b, 0x38, 0, 0, 0),	    /* mov r64, [r+d8] */
    I(5, 0xb8, 0, 0, 0, 0, 0, 0, 0x03, 0x1f, 0, 0, 0, 0, 0),		    /* mov r32, imm32 */
    I(5, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x03, 0, 0, 0),		    /* call rel32, ahead */
    I(5, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x03, 0, 0, 0),		    /* call rel32, ahead */
    I(5, 0xe8, 0, 0, 0xfc, 0xff, 0, 0, 0, 0xff, 0xff, 0x03, 0, 0, 0),	    /* call rel32, back */
    I(2, 0x74, 0, 0, 0, 0, 0, 0, 0x01, 0x3f, 0, 0, 0, 0, 0),		    /* je/jne rel8 */
    I(2, 0x74, 0, 0, 0, 0, 0, 0, 0x01, 0x3f, 0, 0, 0, 0, 0),		    /* je/jne rel8 */
    I(6, 0x0f, 0x84, 0, 0, 0, 0, 0, 0, 0x0f, 0xff, 0x01, 0, 0, 0),	    /* jcc rel32 */
    I(3, 0x48, 0x85, 0xc0, 0, 0, 0, 0, 0, 0, 0x09, 0, 0, 0, 0),		    /* test r64, r64 */
    I(2, 0x31, 0xc0, 0, 0, 0, 0, 0, 0, 0x09, 0, 0, 0, 0, 0),		    /* xor r32, r32 */
    I(1, 0x50, 0, 0, 0, 0, 0, 0, 0x0f, 0, 0, 0, 0, 0, 0),		    /* push/pop r64 */
    I(2, 0x41, 0x54, 0, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0),		    /* push/pop r12-r15 */
    I(1, 0xc3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),			    /* ret */
    I(7, 0x48, 0x8d, 0x05, 0, 0, 0, 0, 0, 0x02, 0x38, 0xff, 0xff, 0x01, 0), /* lea r, [rip+d] */
    I(7, 0x48, 0x8d, 0x05, 0, 0, 0, 0, 0, 0x02, 0x38, 0xff, 0xff, 0x01, 0), /* lea r, [rip+d] */
    I(4, 0x48, 0x83, 0xec, 0x08, 0, 0, 0, 0, 0, 0x08, 0x38, 0, 0, 0),	    /* sub/add rsp, i8 */
    I(3, 0x83, 0xf8, 0, 0, 0, 0, 0, 0, 0x07, 0x0f, 0, 0, 0, 0),		    /* cmp r32, i8 */
    I(4, 0x0f, 0xb6, 0x40, 0, 0, 0, 0, 0, 0, 0x1b, 0x0f, 0, 0, 0),	    /* movzx r32, [r+d8] */
    I(2, 0xeb, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0, 0, 0, 0, 0),		    /* jmp rel8 */
    I(5, 0x48, 0x89, 0x44, 0x24, 0, 0, 0, 0, 0, 0x38, 0, 0x38, 0, 0),	    /* mov [rsp+d8], r */
    I(2, 0x01, 0xc0, 0, 0, 0, 0, 0, 0x28, 0x1b, 0, 0, 0, 0, 0),		    /* add/sub r32, r32 */
    I(3, 0x48, 0x39, 0xc0, 0, 0, 0, 0, 0, 0, 0x1b, 0, 0, 0, 0),		    /* cmp r64, r64 */
    I(5, 0xf2, 0x0f, 0x10, 0x45, 0, 0, 0, 0, 0, 0x01, 0x38, 0xf8, 0, 0),    /* movsd x, [rbp-d8] */
    I(4, 0x48, 0xc1, 0xe0, 0, 0, 0, 0, 0, 0, 0x0f, 0x07, 0, 0, 0),	    /* shl/shr r64, i8 */
    I(4, 0x48, 0x0f, 0xaf, 0xc0, 0, 0, 0, 0, 0, 0, 0x1b, 0, 0, 0),	    /* imul r64, r64 */
    I(4, 0x48, 0x0f, 0x44, 0xc0, 0, 0, 0, 0, 0, 0x01, 0x1b, 0, 0, 0),	    /* cmove/ne */
    I(3, 0x4c, 0x89, 0xe0, 0, 0, 0, 0, 0, 0, 0x1f, 0, 0, 0, 0),		    /* mov r, r12-15 */
    I(6, 0x8b, 0x05, 0, 0, 0, 0, 0, 0, 0x38, 0xfc, 0xff, 0x01, 0, 0),	    /* mov r32, [rip+d] */
    I(6, 0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0xff, 0x01, 0, 0),	    /* call [rip+d] */
    I(3, 0x0f, 0x94, 0xc0, 0, 0, 0, 0, 0, 0x01, 0x07, 0, 0, 0, 0),	    /* sete/setne r8 */
    I(5, 0x48, 0x8d, 0x74, 0x24, 0x08, 0, 0, 0, 0, 0x09, 0, 0x18, 0, 0),    /* lea r, [rsp+d8] */
    I(3, 0x8b, 0x45, 0xfc, 0, 0, 0, 0, 0, 0x18, 0x0c, 0, 0, 0, 0),	    /* mov r32, [rbp-d8] */
    I(3, 0x89, 0x45, 0xfc, 0, 0, 0, 0, 0, 0x18, 0x0c, 0, 0, 0, 0),	    /* mov [rbp-d8], r32 */
    I(4, 0x48, 0x83, 0xc0, 0x01, 0, 0, 0, 0, 0, 0x07, 0x07, 0, 0, 0),	    /* add r64, i8 */
    I(2, 0x85, 0xc0, 0, 0, 0, 0, 0, 0, 0x09, 0, 0, 0, 0, 0),		    /* test r32, r32 */
    I(6, 0x55, 0x48, 0x89, 0xe5, 0x41, 0x57, 0, 0, 0, 0, 0, 0, 0, 0), /* push rbp; mov rbp, rsp */
    I(7, 0x41, 0x56, 0x41, 0x55, 0x41, 0x54, 0x53, 0, 0, 0, 0, 0, 0, 0),    /* push r14..rbx */
    I(6, 0x5b, 0x41, 0x5c, 0x41, 0x5d, 0xc3, 0, 0, 0, 0, 0, 0, 0, 0),	    /* pop ...; ret */
    I(6, 0xc9, 0xc3, 0x0f, 0x1f, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0, 0),	    /* leave; ret; nop */
    I(4, 0x31, 0xc0, 0x5d, 0xc3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),		    /* xor eax; pop; ret */
    I(4, 0x85, 0xc0, 0x74, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0, 0, 0),		    /* test; je rel8 */
    I(5, 0x48, 0x83, 0xc4, 0x08, 0xc3, 0, 0, 0, 0, 0, 0x18, 0, 0, 0),	    /* add rsp; ret */
    I(4, 0xf3, 0x0f, 0x1e, 0xfa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),		    /* endbr64 */
    I(7, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0, 0, 0, 0, 0, 0, 0),    /* mov rax, fs:0x28 */
    I(7, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0),    /* nop padding */
    I(6, 0x48, 0x89, 0xde, 0x48, 0x89, 0xef, 0, 0, 0, 0, 0, 0, 0, 0),	    /* mov rsi, rbx; ... */
    I(6, 0x48, 0x83, 0xf8, 0xff, 0x74, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0),	    /* cmp rax, -1; je */
    I(5, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0),	    /* 5-byte nop */
    I(2, 0xcc, 0xcc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),		    /* int3 padding */
    I(6, 0x48, 0x89, 0xc7, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0),	    /* mov rdi, rax; call */
    I(7, 0x48, 0x8b, 0x7d, 0xf8, 0x48, 0x8b, 0x07, 0, 0, 0, 0x78, 0, 0, 0), /* load, deref */
    I(6, 0x5d, 0xc3, 0x66, 0x90, 0xcc, 0xcc, 0, 0, 0, 0, 0, 0, 0, 0),	    /* pop rbp; ret; pad */
    I(5, 0xbf, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0x07, 0, 0, 0, 0, 0),	    /* mov edi, small */
    I(4, 0x48, 0x83, 0xec, 0x18, 0, 0, 0, 0, 0, 0, 0x30, 0, 0, 0),	    /* sub rsp, frame */
    I(3, 0x4c, 0x89, 0xe7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),		    /* mov rdi, r12 */
};

/* Writes the entry draw r picks at out + pos; returns the position after
 * it. */
static inline uint32_t put_insn(uint8_t *out, uint32_t pos, uint64_t r)
{
	const struct insn *t = &insns[r >> 58];
	store_le64(out + pos, t->fixed | (r & t->mask));
	return pos + t->len;
}

/* Two instructions a draw, the second from the draw rotated by half: its
 * bits overlap the first's, a correlation too weak for a compressor to
 * find, and half the cost of the generator. */
static void fill_code(uint64_t s, uint8_t *out, uint32_t ps)
{
	uint32_t pos = 0;
	while (ps - pos >= 16) {
		uint64_t r = mix_next(&s);
		pos = put_insn(out, pos, r);
		pos = put_insn(out, pos, r << 32 | r >> 32);
	}
	while (ps - pos >= 8)
		pos = put_insn(out, pos, mix_next(&s));
	memset(out + pos, 0xcc, ps - pos);
}

/* --- heap ---------------------------------------------------------------------------- */

/* Kinds of heap word by a draw's top 5 bits: the word is (draw & mask) |
 * set, where a pointer's `set` is the page's region (filled in by
 * fill_heap). */
enum { H_ZERO, H_PTR, H_INT8, H_INT16, H_HEADER, H_RANDOM, H_KEY };

static const uint8_t heap_kind[32] = {
    H_ZERO,  H_ZERO,  H_ZERO,	H_ZERO,	  H_ZERO,   H_ZERO, H_ZERO, H_ZERO,
    H_PTR,   H_PTR,   H_PTR,	H_PTR,	  H_PTR,    H_PTR,  H_PTR,  H_PTR,
    H_PTR,   H_PTR,   H_INT8,	H_INT8,	  H_INT8,   H_INT8, H_INT8, H_INT8,
    H_INT16, H_INT16, H_HEADER, H_HEADER, H_HEADER, H_KEY,  H_KEY,  H_RANDOM,
};

static const uint64_t heap_mask[] = {
    [H_ZERO] = 0,
    [H_PTR] = UINT64_C(0xfff0),
    [H_INT8] = 0xff,
    [H_INT16] = 0xffff,
    [H_HEADER] = 0x1f0,
    [H_RANDOM] = ~UINT64_C(0),
    [H_KEY] = UINT64_C(0x0f0f0f0f0f0f0f0f),
};

static uint64_t heap_set(int kind, uint64_t region)
{
	switch (kind) {
	case H_PTR:
		return region;
	case H_HEADER:
		return 1; /* size | PREV_INUSE */
	case H_KEY:
		return UINT64_C(0x6161616161616161); /* 'a' .. 'p' */
	default:
		return 0;
	}
}

/* A zero draw writes a run of 1 to 4 zero words (a chunk's unused tail, a
 * cleared array): every draw stores 4 words, the later ones zero, and moves
 * on by the words it means, so the loop has no branch on the kind. */
static void fill_heap(uint64_t s, uint8_t *out, uint32_t ps)
{
	/* A user-space heap's addresses (0x55...): the page's region fixes
	 * bytes 3 to 5. */
	uint64_t region = (UINT64_C(0x55) << 40) | ((mix_next(&s) & 0xffff) << 24);
	uint64_t mask[32], set[32], run[32];
	for (int k = 0; k < 32; k++) {
		mask[k] = heap_mask[heap_kind[k]];
		set[k] = heap_set(heap_kind[k], region);
		run[k] = heap_kind[k] == H_ZERO ? 3 : 0;
	}
	uint32_t i = 0;
	while (ps - i >= 32) {
		uint64_t r = mix_next(&s);
		store_le64(out + i, (r & mask[r >> 59]) | set[r >> 59]);
		memset(out + i + 8, 0, 24);
		i += 8 * (1 + (uint32_t)(r & run[r >> 59]));
	}
	for (; i < ps; i += 8) {
		uint64_t r = mix_next(&s);
		store_le64(out + i, (r & mask[r >> 59]) | set[r >> 59]);
	}
}

/* --- pagecache-mix ------------------------------------------------------------------- */

static void fill_pagecache(uint64_t s, uint8_t *out, uint32_t ps)
{
	uint64_t pick = mix_next(&s);
	unsigned twentieths = (unsigned)(((pick >> 32) * 20) >> 32);
	if (twentieths < 9)
		fill_text(s, out, ps);
	else if (twentieths < 15)
		fill_code(s, out, ps);
	else if (twentieths < 18)
		fill_heap(s, out, ps);
	else
		fill_random(s, out, ps);
	if ((pick & 7) == 0) { /* a file's last page */
		uint32_t end = 64 + (uint32_t)((pick >> 3) % (ps - 64));
		memset(out + end, 0, ps - end);
	}
}

/* --- classes ------------------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*fill)(uint64_t s, uint8_t *out, uint32_t ps);
} classes[CONTENT_CLASSES] = {
    [CONTENT_RANDOM] = {"random", fill_random},
    [CONTENT_ZERO] = {"zero", fill_zero},
    [CONTENT_TEXT] = {"text", fill_text},
    [CONTENT_CODE] = {"code", fill_code},
    [CONTENT_HEAP] = {"heap", fill_heap},
    [CONTENT_PAGECACHE] = {"pagecache-mix", fill_pagecache},
};

const char *content_name(enum content_class c)
{
	return (unsigned)c < CONTENT_CLASSES ? classes[c].name : "?";
}

int content_parse(const char *name, enum content_class *out)
{
	for (int c = 0; c < CONTENT_CLASSES; c++)
		if (strcmp(name, classes[c].name) == 0) {
			*out = (enum content_class)c;
			return 0;
		}
	return -1;
}

const char *content_names(void)
{
	return "zero, random, text, code, heap, pagecache-mix";
}

void content_fill(enum content_class c, uint64_t seed, uint64_t page, uint32_t version,
		  uint8_t *out, uint32_t ps)
{
	classes[c].fill(rng_mix(seed, page, version), out, ps);
	if (c != CONTENT_ZERO && out[0] == 0)
		out[0] = 1;
}
