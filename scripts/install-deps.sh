#!/usr/bin/env bash
# Installs the Debian packages modelock builds, tests and demos with.
# Idempotent: asks dpkg first and calls apt-get only for what is missing.
set -euo pipefail

packages=(
  # toolchain
  # libclang-rt-dev: the sanitizer and libFuzzer runtimes of the default
  # clang, whatever its version (a versioned name breaks when clang moves on)
  build-essential cmake pkg-config clang libclang-rt-dev
  # ninja-build: make's builds use CMake's Ninja generator (Makefile says why)
  ninja-build
  # libraries the host code links
  libssl-dev libfmt-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  # the RTL engine: simulation, lint, synthesis estimates
  verilator yosys
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev gnuplot-nox
  # XRT, for the `xrt` device backend and its tests under XRT's noop driver
  libxrt-dev
  # the data set `modelock eval` and the accuracy tests read
  dataset-fashion-mnist
  # scripts/demo.sh and scripts/bench.sh post-process with the standard library only
  python3
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=""
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd="sudo"
  else
    echo "install-deps: not root and no password-less sudo; run as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  sudo_cmd=""
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh machine has empty package lists; refresh once before installing.
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
