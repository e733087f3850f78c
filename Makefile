# The front door: everything goes through CMake and ctest.
#   make            build libmmkit.so, libmmkit.a and the mmkit command
#   make test       build and run every test, also under ASan/UBSan and TSan
#   make demo       run a real program on mmkit and the simulator on a real trace
#   make bench      compare mmkit with glibc, jemalloc, tcmalloc and mimalloc
#   make bench-suite MIMALLOC_BENCH=DIR   the same on the mimalloc-bench programs
#   make install PREFIX=/usr/local

PREFIX ?= /usr/local
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
MAKEFLAGS += --no-print-directory

.PHONY: all build test check check-sanitizers demo bench bench-suite install clean

all: build

build:
	@scripts/deps.sh build
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: check check-sanitizers

check:
	@scripts/deps.sh test
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The allocator's API tests under ASan/UBSan, its stress tests under TSan.
check-sanitizers:
	@scripts/deps.sh test
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug "-DMMKIT_SANITIZE=address,undefined" >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS)
	@cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) -L 'api|stress|sim'
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMMKIT_SANITIZE=thread >/dev/null
	@cmake --build $(BUILD)-tsan -j $(JOBS)
	@cd $(BUILD)-tsan && ctest --output-on-failure -j $(JOBS) -L stress

demo: build
	@scripts/deps.sh demo
	@scripts/demo.sh $(BUILD)

bench: build
	@scripts/deps.sh bench
	@python3 bench/run.py --build $(BUILD)

# DIR: a checkout of https://github.com/daanx/mimalloc-bench, kept outside.
bench-suite: build
	@scripts/deps.sh bench
	@python3 bench/suite.py --build $(BUILD) --mimalloc-bench "$(MIMALLOC_BENCH)"

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan
