/*
 * params — the migration parameters and capabilities a run is configured
 * with, under QEMU's names and defaults (migrate-set-parameters,
 * migrate-set-capabilities), plus the few settings QEMU has no name for,
 * which carry no prefix but are marked "migsim" in their documentation.
 * One table describes every parameter: the parser, `--help`, the settings
 * stored with each run and docs/model.md all read it.
 */
#ifndef MIGSIM_PARAMS_H
#define MIGSIM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "json.h"

/* Where zero pages are found: the migration thread (legacy), multifd's
 * channels (multifd, QEMU's default since 9.0; without the multifd
 * capability the migration thread tests, as QEMU's save_zero_page does for
 * anything but none), or nowhere (none: sent whole). */
enum zero_detect { ZERO_DETECT_LEGACY, ZERO_DETECT_NONE, ZERO_DETECT_MULTIFD };

/* multifd-compression: QEMU's methods (MultiFDCompression) and lz4, which
 * is migsim's own extension (QEMU has no lz4 method). */
enum multifd_comp { MULTIFD_COMP_NONE, MULTIFD_COMP_ZLIB, MULTIFD_COMP_ZSTD, MULTIFD_COMP_LZ4 };

struct mig_params {
	int64_t downtime_limit;		   /* ns */
	double max_bandwidth;		   /* bytes/s; 0 = no limit */
	double avail_switchover_bandwidth; /* bytes/s; 0 = use the measured rate */
	uint64_t xbzrle_cache_size;	   /* bytes */
	int throttle_trigger_threshold;	   /* percent */
	int cpu_throttle_initial;	   /* percent */
	int cpu_throttle_increment;	   /* percent */
	int cpu_throttle_tailslow;	   /* bool */
	int max_cpu_throttle;		   /* percent */
	double max_postcopy_bandwidth;	   /* bytes/s; 0 = no limit */
	int zero_page_detection;	   /* enum zero_detect */
	int clear_bitmap_shift;		   /* log-clear chunk: 2^shift pages; 0 = off */
	int multifd_channels;		   /* sender threads with the multifd capability */
	int multifd_compression;	   /* enum multifd_comp */
	int multifd_zlib_level, multifd_zstd_level;
	/* migsim's own */
	uint64_t device_state_size;   /* bytes of non-RAM device state */
	uint64_t send_buffer_size;    /* bytes the socket holds before the sender blocks */
	int64_t setup_cost;	      /* ns spent in setup besides sending its bytes */
	int64_t postcopy_switch_cost; /* ns of the destination's fixed switch work */
	double xbzrle_encode_cost;    /* ns of source CPU per page byte encoded */
	double zero_scan_cost;	      /* ns of source CPU per byte the zero-page test reads */
	double page_copy_cost;	      /* ns of source CPU per byte copied into the stream */
	int host_cpus;		/* source host CPUs for the vCPU and the thread; 0 = one each */
	int64_t host_timeslice; /* ns: the scheduler's slice on a shared CPU */

	double stream_speed; /* bytes/s of block-stream (sim/storage.h); 0 = the link's */
};

/* Capabilities migsim implements, as bits. */
enum mig_cap {
	CAP_XBZRLE = 1 << 0,
	CAP_AUTO_CONVERGE = 1 << 1,
	CAP_POSTCOPY_RAM = 1 << 2,
	CAP_POSTCOPY_PREEMPT = 1 << 3,
	CAP_MULTIFD = 1 << 4,
};

/* multifd-compression's value as written ("none", "zlib", ...). */
const char *params_multifd_compression_name(int comp);
/* The level parameter that applies to the method (multifd-zlib-level's
 * value for zlib, ...); 0 for a method without levels. */
int params_multifd_level(const struct mig_params *p);

void params_defaults(struct mig_params *p);
/* Sets one parameter from its text (QEMU's name, value with units). The
 * value must lie in the parameter's range (QEMU's where QEMU checks it, see
 * `migsim run --help`); a refused value leaves p as it was. */
int params_set_value(struct mig_params *p, const char *name, const char *value, err *e);
/* The same from "NAME=VALUE", as --param takes it. */
int params_set(struct mig_params *p, const char *assignment, err *e);
/* 1 when name is a parameter's. */
int params_known(const char *name);
/* What no single parameter can be checked for alone (QEMU's cross-checks):
 * xbzrle-cache-size a power of two no less than the page size, and
 * max-cpu-throttle no less than cpu-throttle-initial. On failure *param
 * names the parameter at fault. */
int params_check(const struct mig_params *p, uint32_t page_size, const char **param, err *e);
/* Writes every parameter as "name": value (in its QEMU unit) into an open
 * JSON object, in table order. */
void params_to_json(const struct mig_params *p, jw *w);
/* Parameter i (in table order) of p as a value --param takes, exact and with
 * its unit ("300ms", "128MiB/s", "on"); returns its name, or NULL past the
 * last parameter. For telling runs apart (`sweep --dry-run`). */
const char *params_format(const struct mig_params *p, size_t i, char *buf, size_t n);
/* Parameter `name`'s value v as params_to_json stores it (a number in its
 * JSON unit) in params_format's form ("3ms", "64MiB"): 0, or -1 when name
 * is no parameter or not a number. */
int params_format_stored(const char *name, double v, char *buf, size_t n);
/* One line per parameter: name, default, meaning, and one with its range
 * (for --help). -1 when buf is too small. */
int params_help(char *buf, size_t n);

/* Capability names ("xbzrle", ...) <-> bits. Unknown names are an error that
 * lists the known ones. */
int caps_parse_one(const char *name, unsigned *bits, err *e);
/* A comma-separated list, "" or "none" for the empty set, "all" for every one. */
int caps_parse_list(const char *list, unsigned *bits, err *e);
unsigned caps_all(void);
/* Comma-separated names of the bits, "none" when empty. */
char *caps_format(unsigned bits, char *buf, size_t n);
/* Writes the set as a JSON array of names under key. */
void caps_to_json(unsigned bits, jw *w, const char *key);

/* The multifd-compression methods a side supports, as its capability list
 * names them: "multifd-zlib", "multifd-zstd", "multifd-lz4" (QEMU has no
 * such capabilities: its methods are compiled in or not). Bit 1 << M for
 * method M of enum multifd_comp; none needs no support and has no bit. */
unsigned caps_methods_all(void);
/* A side's list (--src-caps, --dst-caps): capabilities and methods,
 * "" or "none" for neither, "all" for every one of both. Unknown names are
 * an error that lists the known ones. */
int caps_parse_side(const char *list, unsigned *bits, unsigned *methods, err *e);
/* Comma-separated tokens of the methods ("multifd-zlib,..."), "none" when empty. */
char *caps_methods_format(unsigned methods, char *buf, size_t n);
/* Writes the methods as a JSON array of multifd-compression values ("zlib",
 * ...) under key, but only when the set lacks one: a side supporting them
 * all (the default) writes nothing, so the settings stored before methods
 * were negotiated stay as they were. */
void caps_methods_to_json(unsigned methods, jw *w, const char *key);

#endif
