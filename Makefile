# modelock — top-level entry points. CMake does the building; this file only
# names the jobs. `make demo` and `make test` install missing Debian packages
# first (scripts/install-deps.sh), so both work on a fresh machine.

JOBS        ?= 2
BUILD_DIR   ?= build
# One clang build with ASan and UBSan serves both the sanitizer pass and the
# fuzzers (libFuzzer needs clang): a third build of the whole project would
# cost CI minutes and find nothing the two passes do not.
ASAN_DIR    ?= build-asan
# Seconds each fuzz target runs; FUZZ_JOBS targets run at once. With eight
# targets, 20 s two at a time keeps `make fuzz` near 80 s of fuzzing on two
# cores (`make test` has 30 minutes in all); run longer by hand, for example
# `make fuzz FUZZ_SECONDS=600`.
FUZZ_SECONDS ?= 20
FUZZ_JOBS   ?= $(JOBS)
CMAKE       ?= cmake
# CMake's Ninja generator for the build folders make creates: on two cores a
# clean build takes about two thirds of the wall time and CPU of CMake's
# Makefiles (500 s against 737 s for build/, measured side by side), whose
# recursive make and per-target dependency scans cost minutes of make
# test's 30. A folder configured earlier keeps its generator (CMake refuses
# to switch one), so -G is passed only to a new folder.
GENERATOR   ?= Ninja
generator    = $(if $(wildcard $(1)/CMakeCache.txt),,-G "$(GENERATOR)")
# Compiler warnings are errors in every build `make` configures (build,
# sanitize, fuzz), so CI keeps them; CMake's own default (MODELOCK_WERROR)
# is OFF for users on other compilers. `make WERROR=OFF ...` relaxes it.
WERROR      ?= ON

.PHONY: all deps build test test-slow unit-test sanitize-build sanitize fuzz lint synth coverage demo bench xclbin clean

all: build

deps:
	@bash scripts/install-deps.sh

# Configured on every run (cheap when nothing changed), so that WERROR takes
# effect in a build directory configured before it existed.
configure = $(CMAKE) -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) -DCMAKE_BUILD_TYPE=Release -DMODELOCK_WERROR=$(WERROR)
build:
	$(configure)
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)

# Unit and integration tests, the same suites under ASan+UBSan, then a
# time-boxed libFuzzer run of every fuzz target.
test: deps
	$(MAKE) unit-test
	$(MAKE) sanitize
	$(MAKE) fuzz
	@echo "make test: all suites passed"

# Every suite but the label "slow": the whole-test-set runs (10,000 images
# through each shipped model, on the host and on the engine) take longer than
# all the rest together, and make test must fit CI's 30 minutes on two
# cores. `make test-slow` runs them; run it before a release and after any
# change to the models, the runtime or the engine.
unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) -LE slow

test-slow: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) -L slow

# The clang build shared by `sanitize` and `fuzz`: every library, test and
# fuzz target with AddressSanitizer and UndefinedBehaviorSanitizer, the
# libraries also with libFuzzer's coverage instrumentation. -O1 as the
# sanitizer manuals advise, and line tables instead of full debug information:
# reports keep file:line, and the build takes minutes less (CI has 30 in all).
# The Verilator models are left out (their code is generated, not ours), and
# so are the HLS C simulation testbenches: the kernel itself runs under the
# sanitizers through the `hls` backend's tests.
ASAN_FLAGS  ?= -O1 -gline-tables-only
sanitize-build:
	$(CMAKE) -S . -B $(ASAN_DIR) $(call generator,$(ASAN_DIR)) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$(ASAN_FLAGS)" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(ASAN_FLAGS)" \
	  -DMODELOCK_SANITIZE=ON -DMODELOCK_FUZZ=ON -DMODELOCK_BENCH=OFF -DMODELOCK_RTL=OFF -DMODELOCK_HLS_CSIM=OFF \
	  -DMODELOCK_WERROR=$(WERROR)
	$(CMAKE) --build $(ASAN_DIR) -j$(JOBS)

# Every suite but the full-test-set runs (label "slow", see unit-test), which
# would take many minutes under ASan, and the checks of the sources (label
# "source": compile-time API probes, the Makefile's own settings), which run
# no project code for the sanitizers to watch and pass in unit-test.
sanitize: sanitize-build
	cd $(ASAN_DIR) && ctest --output-on-failure -j$(JOBS) -LE "slow|source"

# Every target tests/fuzz/CMakeLists.txt lists, each FUZZ_SECONDS from its
# seed corpus (scripts/run-fuzz.sh). A crash fails the run and keeps the
# reproducer under $(ASAN_DIR)/tests/fuzz/fuzz-runs/.
fuzz: sanitize-build
	bash scripts/run-fuzz.sh -j $(FUZZ_JOBS) $(ASAN_DIR)/tests/fuzz/fuzz-targets.txt $(FUZZ_SECONDS)

# `verilator --lint-only -Wall` over rtl/ (waivers in rtl/lint/waivers.vlt,
# each with its reason); ctest runs the same check as `rtl_lint`.
lint:
	sh scripts/lint-rtl.sh rtl

# Yosys resource estimates (synth_xilinx -family xcup) of the whole engine
# and of every module of rtl/, written to docs/resources.md; each run also
# checked for latches and combinational loops. Tens of minutes: not part of
# make test. Each Yosys run stops with an error after SYNTH_TIMEOUT seconds
# (default 7200); SYNTH_JOBS=1 runs one Yosys at a time (default 2).
synth:
	sh scripts/synth-rtl.sh rtl docs/resources.md

# Line and toggle coverage of the RTL engine under Verilator: a model built
# with coverage in $(COVERAGE_DIR) (a long build: see docs/coverage.md), the engine's sim tests
# run on it, the counts merged into docs/coverage.md. Not part of make test.
COVERAGE_DIR ?= build-coverage
coverage: deps
	JOBS=$(JOBS) sh scripts/sim-coverage.sh $(COVERAGE_DIR) docs/coverage.md

# The demo needs the command line alone (its engines included), not the
# tests: building only it keeps a clean clone's `make demo` to minutes.
# DEMO_IMAGES sets how many test images run on the simulated FPGA.
demo: deps
	$(configure)
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS) --target modelock
	bash scripts/demo.sh $(BUILD_DIR)

bench: deps build
	bash scripts/bench.sh $(BUILD_DIR)

# The FPGA bitstream (needs AMD Vitis; stops at once with what to install
# when v++, vitis_hls or vivado is missing). KERNEL=hls (hls/kernel, the
# default) or rtl (rtl/, packaged by Vivado), TARGET=hw|hw_emu,
# PLATFORM=<Alveo platform> (bitstreams/README.md).
KERNEL      ?= hls
xclbin:
	$(MAKE) -C bitstreams xclbin KERNEL=$(KERNEL)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(COVERAGE_DIR)
