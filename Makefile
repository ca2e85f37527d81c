# Entry points for people: `make demo` and `make test` do all set-up on a
# fresh Debian machine (missing packages, configure, build), then run.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo test bench clean

all: build

deps:
	@sh .ci/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@$(BUILD_DIR)/bindings/cli/biomatch demo

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@$(BUILD_DIR)/bench/bench_kernels --benchmark_out=$(BUILD_DIR)/bench_kernels.json --benchmark_out_format=json
	@python3 bench/kernel_ratios.py $(BUILD_DIR)/bench_kernels.json

clean:
	rm -rf $(BUILD_DIR) build-*
