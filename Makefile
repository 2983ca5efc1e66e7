# The two commands a newcomer types (see README.md): `make demo`, `make test`.
# CMake does the real build; this file only sequences set-up, build and runs.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
OUT ?= out

.PHONY: all deps build build-asan demo test test-fast test-asan valgrind bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

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

bench: build
	scripts/install-deps --bench
	$(MAKE) -C bench BUILD=../$(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(OUT)
