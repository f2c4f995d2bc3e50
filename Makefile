# migsim — build, tests, benchmarks, the default experiment.
#
#   make            build build/migsim (checks Debian packages first)
#   make check      unit suites + end-to-end tests, the same under ASan+UBSan, the Lua host
#                   under GC stress (check-gc-stress), fuzz smoke runs
#   make run        the default experiment (calloc loop), results in results/
#   make regress    compare this build's results with results/baseline/
#   make baseline   regenerate results/baseline/ (a change of results on purpose)
#   make bench      benchmarks that print figures (tests/bench/)
#   make fuzz       libFuzzer targets (clang), a bounded number of runs each
#   make validate   migsim against real QEMU migrations here (QUICK=1: 3 scenarios;
#                   QEMU=/path/to/qemu-system-x86_64; docs/validation.md)
#   make install    PREFIX=/usr/local DESTDIR=
#
# User CFLAGS/LDFLAGS are added after ours and never replace the warnings;
# sanitizer flags live in SAN so the two builds never share objects (BUILD).

ifeq ($(origin CC),default)
CC = gcc
endif
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2 -g
SAN      ?=
DEFS     ?=
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0)
WORKLOAD_DIR ?= $(CURDIR)/workloads

# zlib, libzstd and liblz4 are the packet compressors of encoders/codec_*.c
# (test_content.c also checks each content class's compressibility with zlib).
PKGS      := lua5.4 sqlite3 zlib libzstd liblz4
TEST_PKGS := check
PKG_CF    := $(shell pkg-config --cflags $(PKGS) $(TEST_PKGS) 2>/dev/null)
PKG_LIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lplot -lm
CHECK_LIBS := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
	-Iencoders -Isim $(OPT) $(SAN) $(DEFS) $(PKG_CF) \
	-DMIGSIM_VERSION='"$(VERSION)"' -DMIGSIM_WORKLOAD_DIR='"$(WORKLOAD_DIR)"'
ALL_CFLAGS  = $(BASE_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

ENC_SRC   := $(wildcard encoders/*.c)
SIM_SRC   := $(filter-out sim/main.c,$(wildcard sim/*.c))
UNIT_SRC  := $(wildcard tests/unit/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)

# The encoders report errors through sim/err.h: err.o goes in both archives,
# so a program linking only libencoders.a (a bench, a fuzz target) has it.
ENC_OBJ   := $(ENC_SRC:%.c=$(BUILD)/%.o) $(BUILD)/sim/err.o
SIM_OBJ   := $(SIM_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

LIBENC := $(BUILD)/libencoders.a
LIBSIM := $(BUILD)/libsim.a
MIGSIM := $(BUILD)/migsim
UNIT   := $(BUILD)/unit_tests

.PHONY: all deps baseline check check-unit check-e2e check-asan check-gc-stress gc-stress-run check-one \
	run regress bench fuzz validate validate-quick \
	install clean format
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory $(MIGSIM)

deps:
	@sh scripts/deps.sh zlib1g-dev libzstd-dev liblz4-dev

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBENC): $(ENC_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBSIM): $(SIM_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(MIGSIM): $(BUILD)/sim/main.o $(LIBSIM) $(LIBENC)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Every `Suite *NAME_suite(void)` defined in tests/unit/ is run: the list is
# generated so a new test file needs no edit elsewhere.
$(BUILD)/suites.h: $(UNIT_SRC)
	@mkdir -p $(@D)
	@grep -ho '^Suite \*[a-z0-9_]*_suite(void)' $(UNIT_SRC) | \
		sed 's/^Suite \*\(.*\)_suite(void)/MIGSIM_SUITE(\1)/' | sort > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/tests/unit/main.o: $(BUILD)/suites.h
$(BUILD)/tests/unit/%.o: ALL_CFLAGS += -I$(BUILD) -Itests/unit

$(UNIT): $(UNIT_OBJ) $(LIBSIM) $(LIBENC)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIBSIM) $(LIBENC)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# --- tests -----------------------------------------------------------------

# The sanitized builds (check-asan, check-gc-stress): float-cast-overflow
# is not part of gcc's -fsanitize=undefined.
SANITIZERS := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

# The fuzz smoke run keeps the libFuzzer targets building, the decoder and
# encoders agreeing on fresh inputs (it once stopped linking unnoticed) and
# a few hundred generated workloads running clean; each target has its own
# smoke run count in tests/fuzz/fuzz.mk (well under a minute on 2 cores).
# chromium opens the report in t_report.sh ("?": skipped, saying so, on a
# system that has no chromium package; scripts/deps.sh).
check:
	@sh scripts/deps.sh python3 parallel clang libclang-rt-14-dev "chromium?"
	@$(MAKE) --no-print-directory check-one
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-gc-stress
	@echo "== fuzz smoke run (build-fuzz/) =="
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk smoke >$(BUILD)/fuzz.log 2>&1 || \
		{ tail -n 30 $(BUILD)/fuzz.log; exit 1; }
	@grep -E '^==|^Done' $(BUILD)/fuzz.log

check-asan:
	@echo "== the same suites under AddressSanitizer + UBSan (build-asan/) =="
	@$(MAKE) --no-print-directory check-one BUILD=build-asan OPT="-O1 -g" \
		SAN="$(SANITIZERS)"

# The Lua host with a full collection at every new Lua object (sim/box.h), under
# ASan + UBSan: the Lua host's unit suite, and every bundled and test workload.
check-gc-stress:
	@echo "== Lua GC stress: a full collection at every new Lua object (build-gcstress/) =="
	@$(MAKE) --no-print-directory gc-stress-run BUILD=build-gcstress OPT="-O1 -g" \
		DEFS=-DMIGSIM_GC_STRESS \
		SAN="$(SANITIZERS)"

gc-stress-run: $(UNIT) $(MIGSIM)
	@CK_FORK=no CK_RUN_SUITE=wl LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(UNIT)
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp sh tests/e2e/gc_stress.sh $(MIGSIM)

check-one: check-unit check-e2e

check-unit: $(UNIT)
	@echo "== unit suites ($(BUILD)) =="
	@CK_FORK=$(if $(SAN),no,yes) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(UNIT)

check-e2e: $(MIGSIM)
	@echo "== end-to-end tests ($(BUILD)) =="
	@MIGSIM=$(abspath $(MIGSIM)) E2E_SANITIZED=$(if $(SAN),1,) \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp sh tests/e2e/run.sh

# --- the default experiment, benchmarks, fuzzing -----------------------------

run: all
	@sh scripts/default-run.sh $(MIGSIM)

# The current build against the committed reference (scripts/baseline.lua,
# results/baseline/): exit 1 when a metric got significantly worse. A change
# of the model's results on purpose means regenerating it: make baseline.
regress: all
	@rm -f $(BUILD)/regress.db $(BUILD)/regress.db-wal $(BUILD)/regress.db-shm
	@$(MIGSIM) sweep scripts/baseline.lua --db $(BUILD)/regress.db --quiet
	@$(MIGSIM) compare results/baseline/baseline.db $(BUILD)/regress.db

# Regenerates the committed reference after a change of the model's results
# on purpose (say in the commit which numbers moved and why). The sweep
# writes in WAL mode; the committed file is turned back to a plain one, so a
# clean checkout holds every run in baseline.db itself.
baseline: all
	@rm -f results/baseline/baseline.db results/baseline/baseline.db-wal results/baseline/baseline.db-shm
	@$(MIGSIM) sweep scripts/baseline.lua --db results/baseline/baseline.db --quiet
	@python3 -c 'import sqlite3; c = sqlite3.connect("results/baseline/baseline.db"); c.execute("pragma journal_mode=delete"); c.close()'
	@rm -f results/baseline/baseline.db-wal results/baseline/baseline.db-shm

bench:
	@sh scripts/deps.sh python3
	@$(MAKE) --no-print-directory $(BENCH_BIN) $(MIGSIM)
	@for b in $(BENCH_BIN); do echo "== $$b =="; $$b || exit 1; done
	@for b in $(wildcard tests/bench/*.sh); do echo "== $$b =="; sh $$b $(MIGSIM) || exit 1; done

fuzz:
	@$(MAKE) --no-print-directory -f tests/fuzz/fuzz.mk

# Real migrations between two QEMUs under TCG, and the same scenarios in
# migsim: minutes of wall time, so never part of make check (the table code
# is tested there on recorded replies: t_validate_table). Results go to
# results/validation/; QEMU=/path/to/qemu-system-x86_64 uses one's own build.
validate: all
	@QEMU="$(QEMU)" sh scripts/validate-deps.sh
	@python3 validation/validate.py $(if $(QUICK),--quick) --migsim $(abspath $(MIGSIM))

validate-quick:
	@$(MAKE) --no-print-directory validate QUICK=1

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/migsim/workloads
	install -m 755 $(MIGSIM) $(DESTDIR)$(PREFIX)/bin/migsim
	install -m 644 workloads/*.lua $(DESTDIR)$(PREFIX)/share/migsim/workloads/

clean:
	rm -rf build build-asan build-gcstress build-fuzz

format:
	clang-format -i $(wildcard encoders/*.[ch] sim/*.[ch] tests/*/*.[ch])

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
