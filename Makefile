# Thin wrapper over CMake. The two commands of the README:
#   make run    install what is missing, build Release, run the default study into out/
#   make test   install what is missing, build, run every test through ctest
# and, for development and CI:
#   make test-fast   only the tests labelled fast (ctest -L fast; well under a minute)
#   make asan        the fast tests built with clang, AddressSanitizer and UBSan (build-asan/)
#   make fuzz        the libFuzzer harnesses of tests/fuzz, FUZZ_SECONDS each (build-asan/)
#   make tidy        clang-tidy's complexity ceiling on changed files (scripts/check-tidy)
#   make install     build, then install the command, the library and the Python module
#                    (cmake --install; PREFIX=DIR for another prefix than /usr/local)
BUILD      ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
STUDY      ?= models/studies/default.yaml
OUT        ?= out
WERROR     ?= OFF
CMAKE_ARGS ?=
ASAN_BUILD ?= build-asan
FUZZ_SECONDS ?= 60
FUZZERS    ?=

LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: run test test-fast build deps deps-test configure format format-check bench clean \
        asan asan-build fuzz tidy install

deps:
	@scripts/install-deps build

deps-test:
	@scripts/install-deps build test

TESTS ?= ON

configure:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DRARESHOCK_WERROR=$(WERROR) \
	  -DRARESHOCK_BUILD_TESTS=$(TESTS) $(LAUNCHER) $(CMAKE_ARGS) >/dev/null

build: deps-test configure
	@cmake --build $(BUILD) -j $(JOBS)

# `run` needs only the build group of packages, so it configures without the tests.
run: deps
	@$(MAKE) --no-print-directory configure TESTS=OFF
	@cmake --build $(BUILD) -j $(JOBS) --target rareshock_cli
	$(BUILD)/rareshock run $(STUDY) -o $(OUT) --force

test: deps-test
	@$(MAKE) --no-print-directory configure TESTS=ON
	@cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

test-fast: deps-test
	@$(MAKE) --no-print-directory configure TESTS=ON
	@cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L fast

# One clang build serves both: every target has ASan + UBSan and libFuzzer's coverage
# instrumentation (RARESHOCK_BUILD_FUZZ), at -O1 with line tables for stack traces.
asan-build:
	@scripts/install-deps build test fuzz
	@CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DRARESHOCK_BUILD_FUZZ=ON \
	  -DRARESHOCK_BUILD_TESTS=ON -DRARESHOCK_WERROR=$(WERROR) $(LAUNCHER) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(ASAN_TARGETS)

# The unit, property and published-case tests (Catch2, all labelled fast) under the
# sanitizers, in one process; the CLI, browser and slow regression tests run in `make test`.
asan:
	@$(MAKE) --no-print-directory asan-build ASAN_TARGETS=rareshock_tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(ASAN_BUILD)/tests/rareshock_tests

fuzz:
	@$(MAKE) --no-print-directory asan-build ASAN_TARGETS=rareshock_fuzzers
	scripts/fuzz $(ASAN_BUILD) $(FUZZ_SECONDS) $(FUZZERS)

tidy:
	@scripts/install-deps build lint
	@scripts/check-tidy

bench:
	@scripts/install-deps build bench
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DRARESHOCK_BUILD_BENCH=ON $(LAUNCHER) >/dev/null
	@cmake --build build-bench -j $(JOBS) --target rareshock_bench
	build-bench/bench/rareshock_bench

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

format-check:
	@scripts/check-format

clean:
	rm -rf $(BUILD) build-bench $(ASAN_BUILD)
