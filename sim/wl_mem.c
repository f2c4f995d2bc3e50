/*
 * wl_mem — what a workload script sees of the machine: the `mem` object with
 * its region handles and memory primitives, the unit helpers (size, duration,
 * rate, us, ms, sec), and the Zipf sampler. Part of the Lua host (wl.c owns
 * the state; wl_int.h is the shared struct).
 *
 * A primitive does a whole range in C: one Lua call per range, never per page
 * or byte, because a call across the boundary costs tens of nanoseconds and
 * the simulator runs millions of steps. Offsets and page numbers are relative
 * to the region; a range outside it is an ordinary Lua error (file:line), a
 * failing guest is a stop (box_stop). Randomness comes from the
 * workload's stream only, so a run is a function of its seed.
 *
 * A region handle is a full userdata holding the region's index. Its fields
 * (name, size, pages, ...) and the methods are in one per-region table that
 * is its metatable's __index, so `r.pages` and `r:inc(...)` are each one
 * table lookup rather than one per level of an __index chain.
 */
#include "wl_int.h"

#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "content.h"
#include "disk.h"
#include "units.h"

#define HANDLE_MAGIC 0x6d656d72u /* "memr" */

struct handle {
	uint32_t magic;
	uint32_t index;
};

/* --- arguments ------------------------------------------------------------ */

static struct wl_region *region_arg(lua_State *L, wl *w, int arg)
{
	const struct handle *h = lua_touserdata(L, arg);
	if (lua_type(L, arg) != LUA_TUSERDATA || lua_rawlen(L, arg) != sizeof *h ||
	    h->magic != HANDLE_MAGIC || h->index >= w->n_regions)
		luaL_typeerror(L, arg, "region");
	if (!w->g)
		luaL_error(L, "guest memory is reachable only from init and step");
	return &w->regions[h->index];
}

static uint64_t count_arg(lua_State *L, int arg)
{
	lua_Integer n = luaL_checkinteger(L, arg);
	luaL_argcheck(L, n >= 0, arg, "must not be negative");
	return (uint64_t)n;
}

static uint64_t opt_count_arg(lua_State *L, int arg, uint64_t def)
{
	return lua_isnoneornil(L, arg) ? def : count_arg(L, arg);
}

/* A content class by name (content.h); none or nil: random, the bytes of
 * every rewrite before classes. */
static enum content_class class_arg(lua_State *L, int arg)
{
	if (lua_isnoneornil(L, arg))
		return CONTENT_RANDOM;
	const char *name = luaL_checkstring(L, arg);
	enum content_class c;
	if (content_parse(name, &c) < 0)
		luaL_argerror(L, arg,
			      lua_pushfstring(L, "unknown content class '%s'; one of: %s", name,
					      content_names()));
	return c;
}

static double zipf_s_arg(lua_State *L, int arg)
{
	double s = luaL_checknumber(L, arg);
	luaL_argcheck(L, s >= 0 && s <= 100, arg, "the Zipf exponent must be in [0, 100]");
	return s;
}

static void check_bytes(lua_State *L, const struct wl_region *r, uint64_t off, uint64_t len)
{
	if (off > r->size || len > r->size - off)
		luaL_error(L, "bytes %I..%I+%I are outside region '%s' (%I bytes)",
			   (lua_Integer)off, (lua_Integer)off, (lua_Integer)len, r->name,
			   (lua_Integer)r->size);
}

static void check_pages(lua_State *L, const struct wl_region *r, uint64_t first, uint64_t n)
{
	if (first > r->pages || n > r->pages - first)
		luaL_error(L, "pages %I..%I+%I are outside region '%s' (%I pages)",
			   (lua_Integer)first, (lua_Integer)first, (lua_Integer)n, r->name,
			   (lua_Integer)r->pages);
}

static uint64_t base(const wl *w, const struct wl_region *r)
{
	return (r->n_ext ? r->ext[0].first_page : 0) * w->page_size; /* its first piece's */
}

/* --- regions in guest RAM: extents ---------------------------------------- */

/* A region lies in RAM in one or more extents (sim/layout.h). The piece of
 * region pages from `page` (< r->pages) that one extent holds: its guest
 * page, and how many of the n pages from `page` are in it. */
static uint64_t piece(const struct wl_region *r, uint64_t page, uint64_t n, uint64_t *guest_page)
{
	size_t lo = 0, hi = r->n_ext;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->ext[mid].region_page <= page)
			lo = mid;
		else
			hi = mid;
	}
	const struct layout_extent *x = &r->ext[lo];
	*guest_page = x->first_page + (page - x->region_page);
	uint64_t left = x->region_page + x->pages - page;
	return left < n ? left : n;
}

/* The piece of region bytes [off, off + len) in one extent: its guest
 * offset, and its length. */
static uint64_t byte_piece(const wl *w, const struct wl_region *r, uint64_t off, uint64_t len,
			   uint64_t *guest_off)
{
	uint64_t ps = w->page_size, gp;
	uint64_t pages = piece(r, off / ps, UINT64_MAX, &gp);
	*guest_off = gp * ps + off % ps;
	uint64_t room = pages * ps - off % ps;
	return room < len ? room : len;
}

enum bytes_op { R_WRITE, R_FILL, R_TOUCH };

/* Records a byte-range operation piece by piece. */
static int record_bytes(wl *w, const struct wl_region *r, enum bytes_op op, uint64_t off,
			uint64_t len, const char *data, uint8_t value)
{
	for (uint64_t done = 0; done < len;) {
		uint64_t at, n = byte_piece(w, r, off + done, len - done, &at);
		int rc = op == R_WRITE	? journal_write(w->jr, at, data + done, (size_t)n)
			 : op == R_FILL ? journal_fill(w->jr, at, n, value)
					: journal_touch(w->jr, at, n);
		if (rc < 0)
			return -1;
		done += n;
	}
	return 0;
}

/* count bytes from off at stride, incremented: one record per piece. */
static int record_inc(wl *w, const struct wl_region *r, uint64_t off, uint64_t stride,
		      uint64_t count, uint8_t delta)
{
	for (uint64_t i = 0; i < count;) {
		uint64_t b = off + i * stride, at;
		uint64_t room = byte_piece(w, r, b, UINT64_MAX, &at); /* bytes to the piece's end */
		uint64_t n = stride ? (room - 1) / stride + 1 : 1;
		if (n > count - i)
			n = count - i;
		if (journal_inc(w->jr, at, stride, n, delta) < 0)
			return -1;
		i += n;
	}
	return 0;
}

/* Pages [first, first + n) of r, piece by piece: rewritten in cls, or
 * (nbytes > 0) nbytes random bytes each, a stream per piece. */
static int record_pages(wl *w, const struct wl_region *r, uint64_t first, uint64_t n,
			enum content_class cls, uint32_t nbytes)
{
	for (uint64_t done = 0; done < n;) {
		uint64_t gp, k = piece(r, first + done, n - done, &gp);
		int rc = nbytes ? journal_write_random(w->jr, gp, k, nbytes, rng_next(&w->rng))
				: journal_rewrite(w->jr, gp, k, cls);
		if (rc < 0)
			return -1;
		done += k;
	}
	return 0;
}

/* Pages a byte range touches: what it costs against the budget. */
static uint64_t span_pages(const wl *w, uint64_t len)
{
	return len / w->page_size + 1;
}

/* What writing nbytes random bytes into each of n pages costs: drawing and
 * storing a random byte takes about as long as one VM instruction
 * (measured: ~3 ns a byte against ~4 ns an instruction), pages aside. */
static uint64_t random_work(uint64_t n, uint64_t nbytes)
{
	uint64_t per_page = 1 + nbytes;
	return n > UINT64_MAX / per_page ? UINT64_MAX : n * per_page;
}

/* Every write of a call is recorded in the journal, applied by the vCPU
 * over the step's time (sim/journal.h). A step whose records outgrow the
 * journal's memory has them applied at once. */
static int recorded(lua_State *L, wl *w, int rc)
{
	err e;
	if (rc < 0)
		return box_stop(L, "out of memory recording the step's writes");
	if (journal_full(w->jr) && journal_flush(w->jr, w->g, &e) < 0)
		return box_stop(L, e.msg);
	return 0;
}

/* --- byte ranges ------------------------------------------------------------ */

/* r:inc(offset, stride, count [, delta]) */
static int m_inc(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t off = count_arg(L, 2), stride = count_arg(L, 3), count = count_arg(L, 4);
	lua_Integer delta = luaL_optinteger(L, 5, 1);
	if (count == 0)
		return 0;
	luaL_argcheck(L, stride > 0 || count == 1, 3, "must be at least 1");
	if (off >= r->size || (count > 1 && count - 1 > (r->size - 1 - off) / stride))
		return luaL_error(L,
				  "inc: %I bytes from %I at stride %I go past region '%s' "
				  "(%I bytes)",
				  (lua_Integer)count, (lua_Integer)off, (lua_Integer)stride,
				  r->name, (lua_Integer)r->size);
	box_charge(L, count, NULL);
	return recorded(L, w, record_inc(w, r, off, stride, count, (uint8_t)delta));
}

/* r:write(offset, string) */
static int m_write(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t off = count_arg(L, 2);
	size_t len;
	const char *s = luaL_checklstring(L, 3, &len);
	check_bytes(L, r, off, len);
	box_charge(L, span_pages(w, len), NULL);
	return recorded(L, w, record_bytes(w, r, R_WRITE, off, len, s, 0));
}

/* r:fill(offset, len, value) */
static int m_fill(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t off = count_arg(L, 2), len = count_arg(L, 3);
	lua_Integer v = luaL_checkinteger(L, 4);
	luaL_argcheck(L, v >= 0 && v <= 255, 4, "a byte value is 0..255");
	check_bytes(L, r, off, len);
	box_charge(L, span_pages(w, len), NULL);
	return recorded(L, w, record_bytes(w, r, R_FILL, off, len, NULL, (uint8_t)v));
}

/* r:read(offset, len): touches (faults in) the bytes, returns nothing. */
static int m_read(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t off = count_arg(L, 2), len = count_arg(L, 3);
	check_bytes(L, r, off, len);
	box_charge(L, span_pages(w, len), NULL);
	return recorded(L, w, record_bytes(w, r, R_TOUCH, off, len, NULL, 0));
}

/* r:bytes(offset, len) -> string: a read whose bytes the script wants. The
 * step's writes so far are applied first, at once: the script sees them. */
static int m_bytes(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t off = count_arg(L, 2), len = count_arg(L, 3);
	check_bytes(L, r, off, len);
	box_charge(L, span_pages(w, len), NULL);
	luaL_Buffer b;
	char *p = luaL_buffinitsize(L, &b, (size_t)len);
	err e;
	w->reads_bytes = 1;
	if (journal_flush(w->jr, w->g, &e) < 0)
		return box_stop(L, e.msg);
	for (uint64_t done = 0, at, n; done < len; done += n) {
		n = byte_piece(w, r, off + done, len - done, &at);
		if (guest_read(w->g, at, p + done, n, &e) < 0)
			return box_stop(L, e.msg);
	}
	luaL_pushresultsize(&b, (size_t)len);
	return 1;
}

/* --- whole pages ------------------------------------------------------------ */

/* r:write_random(first_page, npages, nbytes) */
static int m_write_random(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t first = count_arg(L, 2), n = count_arg(L, 3), nbytes = count_arg(L, 4);
	luaL_argcheck(L, nbytes <= w->page_size, 4, "more bytes than a page holds");
	check_pages(L, r, first, n);
	box_charge(L, random_work(n, nbytes), NULL);
	if (nbytes == 0)
		return 0;
	return recorded(L, w, record_pages(w, r, first, n, CONTENT_RANDOM, (uint32_t)nbytes));
}

/* Whole pages rewritten in a class (zeroing is the class zero); `rewrite`:
 * the class is argument 4. */
static int pages(lua_State *L, int rewrite)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t first = count_arg(L, 2), n = count_arg(L, 3);
	enum content_class cls = rewrite ? class_arg(L, 4) : CONTENT_ZERO;
	check_pages(L, r, first, n);
	box_charge(L, n, NULL);
	return recorded(L, w, record_pages(w, r, first, n, cls, 0));
}

/* r:rewrite(first_page, npages [, class]) */
static int m_rewrite(lua_State *L)
{
	return pages(L, 1);
}

/* r:zero(first_page, npages) */
static int m_zero(lua_State *L)
{
	return pages(L, 0);
}

/* mem.copy(dst, dst_page, src, src_page, npages), also dst:copy(...) */
static int m_copy(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *d = region_arg(L, w, 1);
	uint64_t dp = count_arg(L, 2);
	struct wl_region *s = region_arg(L, w, 3);
	uint64_t sp = count_arg(L, 4), n = count_arg(L, 5);
	check_pages(L, d, dp, n);
	check_pages(L, s, sp, n);
	if (d == s && n && dp < sp + n && sp < dp + n)
		return luaL_error(L, "copy: pages %I+%I and %I+%I of region '%s' overlap",
				  (lua_Integer)sp, (lua_Integer)n, (lua_Integer)dp, (lua_Integer)n,
				  d->name);
	box_charge(L, n, NULL);
	int rc = 0;
	for (uint64_t done = 0; done < n && rc == 0;) {
		uint64_t gd, gs, k = piece(d, dp + done, n - done, &gd);
		k = piece(s, sp + done, k, &gs);
		rc = journal_copy(w->jr, gd, gs, k);
		done += k;
	}
	return recorded(L, w, rc);
}

/* --- picks and batches ----------------------------------------------------- */

static const struct wl_zipf *zipf_for(wl *w, uint64_t n, double s)
{
	if (w->zipf.n != n || w->zipf.s != s)
		wl_zipf_init(&w->zipf, n, s);
	return &w->zipf;
}

/* The optional "first n pages" argument of the picks. */
static uint64_t pick_range(lua_State *L, const struct wl_region *r, int arg)
{
	uint64_t n = opt_count_arg(L, arg, r->pages);
	luaL_argcheck(L, n >= 1 && n <= r->pages, arg, "must be 1..the region's pages");
	return n;
}

/* r:pick_uniform([n]) -> page in [0, n) */
static int m_pick_uniform(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t n = pick_range(L, r, 2);
	lua_pushinteger(L, (lua_Integer)rng_below(&w->rng, n));
	return 1;
}

/* r:pick_zipf(s [, n]) -> page in [0, n), page 0 the hottest */
static int m_pick_zipf(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	double s = zipf_s_arg(L, 2);
	uint64_t n = pick_range(L, r, 3);
	lua_pushinteger(L, (lua_Integer)wl_zipf_draw(zipf_for(w, n, s), &w->rng));
	return 1;
}

enum batch_op { B_WRITE_RANDOM, B_REWRITE, B_READ };

/* count picks over the whole region, each applying op to one page. Arguments
 * after the region: count, then s (Zipf only), then nbytes (writes only) or
 * the content class (rewrites only, optional). */
static int batch(lua_State *L, enum batch_op op, int zipf)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	uint64_t count = count_arg(L, 2);
	double s = zipf ? zipf_s_arg(L, 3) : 0;
	uint64_t nbytes = op == B_WRITE_RANDOM ? count_arg(L, 3 + zipf) : 0;
	enum content_class cls = op == B_REWRITE ? class_arg(L, 3 + zipf) : CONTENT_RANDOM;
	luaL_argcheck(L, nbytes <= w->page_size, 3 + zipf, "more bytes than a page holds");
	box_charge(L, random_work(count, nbytes), NULL);
	const struct wl_zipf *z = zipf ? zipf_for(w, r->pages, s) : NULL;
	if (count == 0 || (op == B_WRITE_RANDOM && nbytes == 0))
		return 0;
	static const char kind[] = {[B_WRITE_RANDOM] = 'w', [B_REWRITE] = 'r', [B_READ] = 't'};
	int rc = journal_picks(w->jr, kind[op], (uint32_t)nbytes, cls,
			       op == B_WRITE_RANDOM ? rng_next(&w->rng) : 0);
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		uint64_t page;
		piece(r, z ? wl_zipf_draw(z, &w->rng) : rng_below(&w->rng, r->pages), 1, &page);
		rc = journal_pick(w->jr, page);
		if (rc == 0 && journal_full(w->jr)) {
			recorded(L, w, 0);
			rc = journal_picks(w->jr, kind[op], (uint32_t)nbytes, cls,
					   rng_next(&w->rng));
		}
	}
	return recorded(L, w, rc);
}

static int m_write_random_uniform(lua_State *L)
{
	return batch(L, B_WRITE_RANDOM, 0);
}

static int m_write_random_zipf(lua_State *L)
{
	return batch(L, B_WRITE_RANDOM, 1);
}

static int m_rewrite_uniform(lua_State *L)
{
	return batch(L, B_REWRITE, 0);
}

static int m_rewrite_zipf(lua_State *L)
{
	return batch(L, B_REWRITE, 1);
}

static int m_read_uniform(lua_State *L)
{
	return batch(L, B_READ, 0);
}

static int m_read_zipf(lua_State *L)
{
	return batch(L, B_READ, 1);
}

/* --- mem's own functions ---------------------------------------------------- */

static int m_now(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)wl_self(L)->now);
	return 1;
}

static int m_random(lua_State *L)
{
	lua_pushnumber(L, rng_unit(&wl_self(L)->rng));
	return 1;
}

static int m_random_below(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	luaL_argcheck(L, n >= 1, 1, "must be at least 1");
	lua_pushinteger(L, (lua_Integer)rng_below(&wl_self(L)->rng, (uint64_t)n));
	return 1;
}

/* mem.region(name): upvalue 1 is the table of handles by name, which the
 * script cannot reach or change. */
static int m_region(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	if (lua_getfield(L, lua_upvalueindex(1), name) == LUA_TNIL)
		return luaL_error(L, "no region named '%s'", name);
	return 1;
}

static int r_tostring(lua_State *L)
{
	wl *w = wl_self(L);
	struct wl_region *r = region_arg(L, w, 1);
	lua_pushfstring(L, "region %s (%I bytes, %I pages)", r->name, (lua_Integer)r->size,
			(lua_Integer)r->pages);
	return 1;
}

static const luaL_Reg methods[] = {
    {"inc", m_inc},
    {"write", m_write},
    {"fill", m_fill},
    {"read", m_read},
    {"bytes", m_bytes},
    {"write_random", m_write_random},
    {"rewrite", m_rewrite},
    {"zero", m_zero},
    {"copy", m_copy},
    {"pick_uniform", m_pick_uniform},
    {"pick_zipf", m_pick_zipf},
    {"write_random_uniform", m_write_random_uniform},
    {"write_random_zipf", m_write_random_zipf},
    {"rewrite_uniform", m_rewrite_uniform},
    {"rewrite_zipf", m_rewrite_zipf},
    {"read_uniform", m_read_uniform},
    {"read_zipf", m_read_zipf},
    {NULL, NULL},
};

/* --- disks ------------------------------------------------------------------ */

/* Disk primitives act on the disk when called, at the step's start: unlike
 * memory writes they are not spread over the step's time (docs/lua-api.md).
 * A disk is numbered from 1, in --disk order. */
static disk *disk_arg(lua_State *L, wl *w, int arg)
{
	lua_Integer i = luaL_checkinteger(L, arg);
	size_t n = w->disks ? w->disks->n : 0;
	if (i < 1 || (uint64_t)i > n)
		luaL_error(L, "no disk %I: the guest has %I (--disk)", i, (lua_Integer)n);
	if (!w->g)
		luaL_error(L, "disks are reachable only from init and step");
	return w->disks->d[i - 1];
}

static int disk_done(lua_State *L, int rc, const err *e)
{
	return rc < 0 ? box_stop(L, e->msg) : 0;
}

/* mem.disk_write(disk, offset, len [, class]) */
static int m_disk_write(lua_State *L)
{
	wl *w = wl_self(L);
	disk *d = disk_arg(L, w, 1);
	uint64_t off = count_arg(L, 2), len = count_arg(L, 3);
	enum content_class cls = class_arg(L, 4);
	if (off > disk_size(d) || len > disk_size(d) - off)
		return luaL_error(L, "disk bytes %I+%I are past its end (%I bytes)",
				  (lua_Integer)off, (lua_Integer)len, (lua_Integer)disk_size(d));
	err e;
	return disk_done(L, disk_write(d, off, len, cls, &e), &e);
}

/* mem.disk_read(disk, offset, len) */
static int m_disk_read(lua_State *L)
{
	wl *w = wl_self(L);
	disk *d = disk_arg(L, w, 1);
	uint64_t off = count_arg(L, 2), len = count_arg(L, 3);
	if (off > disk_size(d) || len > disk_size(d) - off)
		return luaL_error(L, "disk bytes %I+%I are past its end (%I bytes)",
				  (lua_Integer)off, (lua_Integer)len, (lua_Integer)disk_size(d));
	err e;
	return disk_done(L, disk_read(d, off, len, &e), &e);
}

/* mem.disks() -> how many disks the guest has */
static int m_disks(lua_State *L)
{
	wl *w = wl_self(L);
	lua_pushinteger(L, w->disks ? (lua_Integer)w->disks->n : 0);
	return 1;
}

/* mem.disk_size(disk) -> bytes */
static int m_disk_size(lua_State *L)
{
	wl *w = wl_self(L);
	lua_pushinteger(L, (lua_Integer)disk_size(disk_arg(L, w, 1)));
	return 1;
}

static const luaL_Reg mem_fns[] = {
    {"disk_write", m_disk_write},
    {"disk_read", m_disk_read},
    {"disks", m_disks},
    {"disk_size", m_disk_size},
    {"now", m_now},
    {"random", m_random},
    {"random_below", m_random_below},
    {NULL, NULL},
};

/* Pushes region i's handle. */
static void push_handle(lua_State *L, wl *w, size_t i)
{
	const struct wl_region *r = &w->regions[i];
	struct handle *h = lua_newuserdatauv(L, sizeof *h, 0);
	h->magic = HANDLE_MAGIC;
	h->index = (uint32_t)i;
	lua_createtable(L, 0, 4);  /* the handle's metatable */
	lua_createtable(L, 0, 24); /* its fields and the methods */
	lua_pushstring(L, r->name);
	lua_setfield(L, -2, "name");
	lua_pushinteger(L, (lua_Integer)r->size);
	lua_setfield(L, -2, "size");
	lua_pushinteger(L, (lua_Integer)r->pages);
	lua_setfield(L, -2, "pages");
	lua_pushinteger(L, (lua_Integer)w->page_size);
	lua_setfield(L, -2, "page_size");
	lua_pushinteger(L, (lua_Integer)base(w, r));
	lua_setfield(L, -2, "base");
	luaL_setfuncs(L, methods, 0);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable"); /* getmetatable() sees false */
	lua_pushcfunction(L, r_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushliteral(L, "region");
	lua_setfield(L, -2, "__name");
	lua_setmetatable(L, -2);
}

void wl_mem_push(lua_State *L, wl *w)
{
	lua_createtable(L, 0, 32 + (int)w->n_regions);
	int mem = lua_gettop(L);
	luaL_setfuncs(L, methods, 0);
	luaL_setfuncs(L, mem_fns, 0);
	lua_pushinteger(L, (lua_Integer)w->page_size);
	lua_setfield(L, mem, "page_size");

	lua_createtable(L, 0, (int)w->n_regions); /* handles by name */
	int byname = lua_gettop(L);

	for (size_t i = 0; i < w->n_regions; i++) {
		const char *name = w->regions[i].name;
		if (lua_getfield(L, mem, name) != LUA_TNIL) {
			lua_pushfstring(L, "%s: region name '%s' is taken by mem.%s", w->path, name,
					name);
			lua_error(L);
		}
		lua_pop(L, 1);
		push_handle(L, w, i);
		lua_pushvalue(L, -1);
		lua_setfield(L, byname, name);
		lua_setfield(L, mem, name);
	}
	lua_pushvalue(L, byname);
	lua_pushcclosure(L, m_region, 1);
	lua_setfield(L, mem, "region");
	lua_settop(L, mem);
}

/* --- units ------------------------------------------------------------------ */

static int units_fail(lua_State *L, const err *e)
{
	return luaL_error(L, "%s", e->msg);
}

/* size(x) -> bytes: "16MiB", "4G", or a whole number of bytes. */
static int u_size(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TNUMBER) {
		lua_Integer n = luaL_checkinteger(L, 1);
		luaL_argcheck(L, n >= 0, 1, "a size must not be negative");
		lua_pushinteger(L, n);
		return 1;
	}
	uint64_t v;
	err e;
	if (units_size(luaL_checkstring(L, 1), &v, &e) < 0)
		return units_fail(L, &e);
	if (v > (uint64_t)INT64_MAX)
		return luaL_error(L, "size \"%s\": too large", lua_tostring(L, 1));
	lua_pushinteger(L, (lua_Integer)v);
	return 1;
}

/* duration(x) -> ns: "2ms", "1.5s"; a bare number is nanoseconds. */
static int u_duration(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TNUMBER) {
		double v = luaL_checknumber(L, 1);
		luaL_argcheck(L, v >= 0 && isfinite(v), 1, "a duration is a finite number >= 0");
		wl_push_number(L, v);
		return 1;
	}
	int64_t ns;
	err e;
	if (units_duration(luaL_checkstring(L, 1), 1, &ns, &e) < 0)
		return units_fail(L, &e);
	lua_pushinteger(L, (lua_Integer)ns);
	return 1;
}

/* rate(x) -> bytes/s: "1Gbit/s", "64MiB/s"; a bare number is bytes/s. */
static int u_rate(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TNUMBER) {
		double v = luaL_checknumber(L, 1);
		luaL_argcheck(L, v >= 0 && isfinite(v), 1, "a rate is a finite number >= 0");
		wl_push_number(L, v);
		return 1;
	}
	double v;
	err e;
	if (units_rate(luaL_checkstring(L, 1), &v, &e) < 0)
		return units_fail(L, &e);
	wl_push_number(L, v);
	return 1;
}

static int scaled(lua_State *L, double mult)
{
	wl_push_number(L, luaL_checknumber(L, 1) * mult);
	return 1;
}

static int u_us(lua_State *L)
{
	return scaled(L, 1e3);
}

static int u_ms(lua_State *L)
{
	return scaled(L, 1e6);
}

static int u_sec(lua_State *L)
{
	return scaled(L, 1e9);
}

/* page_size() -> bytes: the guest's page size, for region sizes in pages. */
static int u_page_size(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)wl_self(L)->page_size);
	return 1;
}

void wl_units_open(lua_State *L)
{
	static const luaL_Reg fns[] = {
	    {"page_size", u_page_size},
	    {"size", u_size},
	    {"duration", u_duration},
	    {"rate", u_rate},
	    {"us", u_us},
	    {"ms", u_ms},
	    {"sec", u_sec},
	    {NULL, NULL},
	};
	lua_pushglobaltable(L);
	luaL_setfuncs(L, fns, 0);
	lua_pop(L, 1);
}

/* --- Zipf by rejection-inversion ------------------------------------------- */

/* The method draws x from the continuous density x^-s over [0.5, n + 0.5]
 * by inverting its integral, rounds it to the rank k, and accepts k when the
 * draw falls in the part of k's slice that the discrete mass k^-s covers
 * (a quick squeeze test decides most draws without that). The two helpers
 * keep the integral and its inverse accurate near s = 1, where (x^(1-s) - 1)
 * / (1 - s) tends to log x. */

/* (e^x - 1) / x */
static double expm1_x(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x / 2 * (1 + x / 3);
}

/* log(1 + x) / x */
static double log1p_x(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x / 3);
}

/* H(x) = integral of t^-s dt from 1 to x. */
static double zh_int(double s, double x)
{
	double lx = log(x);
	return expm1_x((1 - s) * lx) * lx;
}

static double zh(double s, double x)
{
	return exp(-s * log(x));
}

static double zh_inv(double s, double y)
{
	double t = y * (1 - s);
	if (t < -1)
		t = -1; /* rounding at the far end of the range */
	return exp(log1p_x(t) * y);
}

void wl_zipf_init(struct wl_zipf *z, uint64_t n, double s)
{
	z->n = n;
	z->s = s;
	z->h_x1 = zh_int(s, 1.5) - 1;
	z->h_n = zh_int(s, (double)n + 0.5);
	z->accept = 2 - zh_inv(s, zh_int(s, 2.5) - zh(s, 2));
}

uint64_t wl_zipf_draw(const struct wl_zipf *z, rng *r)
{
	if (z->n <= 1)
		return 0;
	double n = (double)z->n;
	for (;;) {
		double u = z->h_n + rng_unit(r) * (z->h_x1 - z->h_n);
		double x = zh_inv(z->s, u);
		double k = floor(x + 0.5);
		if (k < 1)
			k = 1;
		else if (k > n)
			k = n;
		if (k - x <= z->accept || u >= zh_int(z->s, k + 0.5) - zh(z->s, k))
			return (uint64_t)k - 1;
	}
}
