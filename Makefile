# Thin wrapper over CMake. The two commands of the README:
#   make run    install what is missing, build Release, run the default study into out/
#   make test   install what is missing, build, run every test through ctest
BUILD      ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
STUDY      ?= models/studies/default.yaml
OUT        ?= out
WERROR     ?= OFF
CMAKE_ARGS ?=

LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: run test build deps deps-test configure format format-check bench clean

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
	rm -rf $(BUILD) build-bench
