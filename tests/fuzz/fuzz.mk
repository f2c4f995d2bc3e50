# tests/fuzz/fuzz.mk — the libFuzzer targets (tests/fuzz/fuzz_*.c) for the
# encoders, built with clang, ASan and UBSan into build-fuzz/ and each run a
# bounded number of times. Run from the top directory:
#
#   make -f tests/fuzz/fuzz.mk [FUZZ_RUNS=200000]     (make fuzz does this)
#
# The corpus each target grows is kept in build-fuzz/NAME.corpus/, so later
# runs start from what earlier ones found.

CLANG      ?= clang
FUZZ_BUILD ?= build-fuzz
FUZZ_RUNS  ?= 200000
# The apt-get line for Debian 12: clang is clang-14, whose libFuzzer runtime
# is in a separate package.
FUZZ_DEBS  := clang libclang-rt-14-dev

FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Iencoders \
	-O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_LIB   := $(wildcard encoders/xbzrle*.c) encoders/simd.c
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
PROBE      := $(FUZZ_BUILD)/.probe

.PHONY: fuzz-run
.DEFAULT_GOAL := fuzz-run

fuzz-run: $(FUZZ_BIN)
	@for t in $(FUZZ_BIN); do \
		echo "== $$t: $(FUZZ_RUNS) runs =="; \
		mkdir -p $$t.corpus; \
		$$t -runs=$(FUZZ_RUNS) -max_len=9000 -artifact_prefix=$(FUZZ_BUILD)/ -print_final_stats=1 $$t.corpus || exit 1; \
	done

# clang must be there and able to link libFuzzer, or say how to get it.
$(PROBE):
	@mkdir -p $(@D)
	@printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' > $@.c
	@if ! $(CLANG) -fsanitize=fuzzer,address $@.c -o $@ >/dev/null 2>&1; then \
		echo "fuzz: '$(CLANG) -fsanitize=fuzzer,address' does not work (clang or its libFuzzer runtime missing)" >&2; \
		echo "fuzz: run as root:  apt-get install -y --no-install-recommends $(FUZZ_DEBS)" >&2; \
		rm -f $@; exit 1; \
	fi

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB) encoders/xbzrle.h $(PROBE)
	$(CLANG) $(FUZZ_CFLAGS) $< $(FUZZ_LIB) -o $@
