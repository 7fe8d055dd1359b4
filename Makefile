# Thin wrapper over CMake: the README's commands.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")

# Every Debian package the build, the GUI, the tests and the benchmarks need.
DEPS := cmake g++ make ninja-build pkg-config qt6-base-dev node-llhttp libgl-dev \
        libssl-dev liburing-dev nlohmann-json3-dev liburiparser-dev zlib1g-dev libbrotli-dev openssl locales-all \
        curl nginx python3 xvfb xauth imagemagick wrk nghttp2-client hyperfine valgrind \
        procps iproute2 fonts-dejavu-core desktop-file-utils appstream dpkg-dev
# Only `make fuzz` installs these: clang 16 with libc++ 16 (std::expected, as in production)
# and the compiler-rt runtimes that -fsanitize=fuzzer,address,undefined link.
FUZZ_DEPS := clang-16 libc++-16-dev libc++abi-16-dev libclang-rt-16-dev

FUZZ_SECONDS ?= 60
# ccache, when the machine has it, makes rebuilds in several checkouts cheap (not required).
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: all deps build install package run test test-asan test-tsan bench fuzz screenshots clean
all: build

deps:
	@./scripts/install-deps.sh $(DEPS)

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(LAUNCHER) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Installs both binaries, the .desktop file, the icon, AppStream metainfo and the .http MIME type
# (PREFIX defaults to /usr/local; DESTDIR works as usual).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# A Debian package in $(BUILD_DIR) (cpack -G DEB; dependencies from dpkg-shlibdeps).
package: build
	cd $(BUILD_DIR) && cpack -G DEB

run: build
	./scripts/run-gui.sh $(BUILD_DIR)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 600

# The engine, CLI and integration suites under AddressSanitizer + UBSan (CI runs this too).
test-asan: deps
	cmake -S . -B build-asan -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DSLUICE_SANITIZE=address -DSLUICE_BUILD_UI=OFF $(LAUNCHER)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2 --timeout 900

# The engine and the client/server integration suites under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B build-tsan -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release -DSLUICE_SANITIZE=thread -DSLUICE_BUILD_UI=OFF $(LAUNCHER)
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -j 2 --timeout 900 -R 'engine/|client|server_http|proxy'

bench: build
	./tests/bench/run.sh $(BUILD_DIR)

# Every libFuzzer target for FUZZ_SECONDS each, from the seed corpus (copied, so seeds stay ours).
fuzz: deps
	@./scripts/install-deps.sh $(FUZZ_DEPS)
	cmake -S . -B build-fuzz -G "$(GENERATOR)" -DSLUICE_FUZZ=ON -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16
	cmake --build build-fuzz -j $(JOBS)
	./tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

screenshots: build
	./scripts/screenshots.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
