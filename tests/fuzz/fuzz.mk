# tests/fuzz/fuzz.mk — the libFuzzer targets (tests/fuzz/fuzz_*.c), built
# with clang, ASan and UBSan into build-fuzz/ and each run a bounded number of
# times. Run from the top directory:
#
#   make -f tests/fuzz/fuzz.mk [FUZZ_RUNS=200000] [FUZZ_WL_RUNS=20000]
#                                 (make fuzz: the long runs)
#   make -f tests/fuzz/fuzz.mk smoke
#                                 (make check: short runs, fixed seed)
#
# The long runs keep the corpus each target grows in build-fuzz/NAME.corpus/,
# so later runs start from what earlier ones found. The smoke run starts
# each target from nothing with -seed=1, so it takes the same time and tries
# the same inputs every time, however large the corpora have grown.
# A failing input is written to build-fuzz/NAME-crash-* (or -timeout-*).

CLANG      ?= clang
FUZZ_BUILD ?= build-fuzz
# The apt-get line for Debian 12: clang is clang-14, whose libFuzzer runtime
# is in a separate package.
FUZZ_DEBS  := clang libclang-rt-14-dev

PKGS       := lua5.4 sqlite3
CODEC_PKGS := zlib libzstd liblz4
FUZZ_SAN   := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iencoders -Isim \
	-Wno-format-zero-length -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) $(shell pkg-config --cflags $(PKGS) $(CODEC_PKGS)) \
	-DMIGSIM_VERSION='"$(shell cat VERSION 2>/dev/null || echo 0)-fuzz"' \
	-DMIGSIM_WORKLOAD_DIR='"$(CURDIR)/workloads"'

# The libraries, every object instrumented for coverage (without libFuzzer's
# main, which only the targets link). The encoders report errors through
# sim/err.h, so err.o goes in both archives (as in the Makefile).
FUZZ_ENC_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(wildcard encoders/*.c) sim/err.c)
FUZZ_SIM_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out sim/main.c,$(wildcard sim/*.c)))
FUZZ_ENC     := $(FUZZ_BUILD)/libencoders.a
FUZZ_SIM     := $(FUZZ_BUILD)/libsim.a

# --- the targets -------------------------------------------------------------
# For each: what it links besides its source (a prerequisite of its binary),
# NAME_LIBS (system libraries), NAME_RUNS and NAME_SMOKE (executions in the
# long and the smoke run), NAME_OPTS (more libFuzzer options).

FUZZ_RUNS    ?= 200000
FUZZ_WL_RUNS ?= 20000

# XBZRLE decoder and encoders: ~10k executions/s.
$(FUZZ_BUILD)/fuzz_xbzrle_decode: $(FUZZ_ENC)
fuzz_xbzrle_decode_RUNS  = $(FUZZ_RUNS)
fuzz_xbzrle_decode_SMOKE = 50000
fuzz_xbzrle_decode_OPTS  = -max_len=9000

# The packet codecs' decoders (encoders/codec_*.c; the checks are
# tests/fuzz/fuzz_codec.h's), ~1500 executions/s for zlib, ~400 for zstd
# (a new stream or two per input), ~4000 for lz4; none and zero only check
# lengths: short runs. Smoke runs of about 6 s each.
CODEC_LIBS := $(shell pkg-config --libs $(CODEC_PKGS))
CODEC_FUZZ := fuzz_none_decode fuzz_zlib_decode fuzz_zstd_decode fuzz_lz4_decode fuzz_zero_decode
$(CODEC_FUZZ:%=$(FUZZ_BUILD)/%): $(FUZZ_ENC)
$(foreach t,$(CODEC_FUZZ),$(eval $t_LIBS = $(CODEC_LIBS)))
$(foreach t,$(CODEC_FUZZ),$(eval $t_RUNS = $(FUZZ_RUNS)))
$(foreach t,$(CODEC_FUZZ),$(eval $t_OPTS = -max_len=9000))
fuzz_zlib_decode_SMOKE = 10000
fuzz_zstd_decode_SMOKE = 2500
fuzz_lz4_decode_SMOKE  = 20000
fuzz_none_decode_SMOKE = 2000
fuzz_zero_decode_SMOKE = 2000

# Generated workload scripts through the Lua host and whole simulated runs:
# tens of executions/s, so its smoke run is short. A run taking 20 s is a hang.
$(FUZZ_BUILD)/fuzz_workload: $(FUZZ_SIM) $(FUZZ_ENC)
fuzz_workload_LIBS  = $(shell pkg-config --libs $(PKGS) $(CODEC_PKGS)) -lplot -lm
fuzz_workload_RUNS  = $(FUZZ_WL_RUNS)
fuzz_workload_SMOKE = 1500
fuzz_workload_OPTS  = -max_len=4096 -timeout=20

FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN   := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
PROBE      := $(FUZZ_BUILD)/.probe

.PHONY: fuzz-run smoke
.DEFAULT_GOAL := fuzz-run

# $(call fuzz_one,NAME,RUNS,CORPUS,MORE-OPTIONS): one recipe line per step.
define fuzz_one
	@echo "== $(FUZZ_BUILD)/$1: $2 runs =="
	@mkdir -p $3
	@$(FUZZ_BUILD)/$1 -runs=$2 $($1_OPTS) $4 -artifact_prefix=$(FUZZ_BUILD)/$1- \
		-print_final_stats=1 $3

endef

fuzz-run: $(FUZZ_BIN)
	$(foreach t,$(FUZZ_NAMES),$(call fuzz_one,$t,$($t_RUNS),$(FUZZ_BUILD)/$t.corpus,))

smoke: $(FUZZ_BIN)
	@rm -rf $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%.smoke)
	$(foreach t,$(FUZZ_NAMES),$(call fuzz_one,$t,$($t_SMOKE),$(FUZZ_BUILD)/$t.smoke,-seed=1))

# clang must be there and able to link libFuzzer, or say how to get it.
$(PROBE):
	@mkdir -p $(@D)
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' > $@.c
	@if ! $(CLANG) -fsanitize=fuzzer,address $@.c -o $@ >/dev/null 2>&1; then \
		echo "fuzz: '$(CLANG) -fsanitize=fuzzer,address' does not work (clang or its libFuzzer runtime missing)" >&2; \
		echo "fuzz: run as root:  apt-get install -y --no-install-recommends $(FUZZ_DEBS)" >&2; \
		rm -f $@; exit 1; \
	fi

$(FUZZ_BUILD)/obj/%.o: %.c | $(PROBE)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_ENC): $(FUZZ_ENC_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_SIM): $(FUZZ_SIM_OBJ)
	@rm -f $@
	ar rcs $@ $^

# $^ holds the source, the probe and the archives listed above for the target.
$(FUZZ_BUILD)/%: tests/fuzz/%.c $(PROBE)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d $< $(filter %.a,$^) \
		-o $@ $($*_LIBS)

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
