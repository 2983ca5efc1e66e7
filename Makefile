# The two commands a newcomer types (see README.md): `make demo`, `make test`; both install
# the Debian packages that are missing first (scripts/install-deps). A plain `make` only
# builds, and `make install PREFIX=DIR` installs (default /usr/local): neither runs apt-get.
# CMake does the real build; this file only sequences set-up, build and runs.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
OUT ?= out
PREFIX ?= /usr/local

.PHONY: all compile deps build build-asan demo test test-fast test-asan valgrind bench install clean

all: compile

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

compile: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build: deps
	$(MAKE) compile

install: compile
	cmake --install $(BUILD) --prefix $(PREFIX)

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DVIGIE_SANITIZE=ON

build-asan: deps $(BUILD_ASAN)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# The main job on the bundled sample survey: collect -> analyse -> plot.
demo: build
	BUILD=$(BUILD) OUT=$(OUT) scripts/demo

# Every test, in the normal build and again under ASan+UBSan.
test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

valgrind: build
	BUILD=$(BUILD) scripts/valgrind-main-paths

# libFuzzer on every parser of outside data (tests/fuzz/README.md), never part of
# `make test`: clang with ASan+UBSan, each target FUZZ_TIME seconds at the lowest
# priority, its corpus kept in $(BUILD_FUZZ)/corpus/<target> between runs.
BUILD_FUZZ ?= build-fuzz
FUZZ_TIME ?= 60
fuzz:
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	  -DVIGIE_FUZZ=ON -DVIGIE_SANITIZE=ON -DVIGIE_WERROR=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target $$(cut -d' ' -f1 $(BUILD_FUZZ)/fuzz-targets.txt | sed 's/^/fuzz_/')
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh $(BUILD_FUZZ)

bench: build
	scripts/install-deps --bench
	$(MAKE) -C bench BUILD=../$(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(OUT)
