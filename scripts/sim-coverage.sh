#!/bin/sh
# Line and toggle coverage of the RTL engine under Verilator (`make
# coverage`): builds the engine model with --coverage-line
# --coverage-toggle (CMake MODELOCK_SIM_COVERAGE=ON) in a build folder of
# its own, runs the engine's tests on it (below), merges the counts every
# EngineSim wrote with verilator_coverage and writes the summary per module,
# and every line point not reached, to docs/coverage.md (or $2). Not part
# of `make test`: the model is a build of its own (its toggle counters make
# it several times the plain model's 5 minutes: 20 minutes to verilate and
# 71 to compile on two cores shared with other builds, 2026-12-01; 11
# minutes on 2026-12-02 with ccache warm) and runs slower (docs/coverage.md
# gives the tests' time).
#
# The tests: sim/tests/lock_engine (the engine against the HLS kernel on
# random networks, all three schemes, under fixed and random memory timing,
# and the watchdog), the refusals of tests/hls on the `sim` engine (tags,
# wrong keys, hostile programs and arguments, clear_key) and the device
# API's `sim` backend on both shipped models (tests/device).
# COVERAGE_TESTS replaces that list: "binary:gtest filter" a line, the
# binary's path inside the build folder; the summary names what ran.
# Usage: sim-coverage.sh [BUILD_DIR] [OUTPUT]
set -eu
build=${1:-build-coverage}
out=${2:-docs/coverage.md}
here=$(dirname "$0")
jobs=${JOBS:-2}

for tool in cmake verilator_coverage; do
  command -v "$tool" >/dev/null 2>&1 || { echo "sim-coverage: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

generator=
[ -f "$build/CMakeCache.txt" ] || generator="-G Ninja"
# shellcheck disable=SC2086
cmake -S . -B "$build" $generator -DCMAKE_BUILD_TYPE=Release -DMODELOCK_SIM_COVERAGE=ON \
  -DMODELOCK_HLS_CSIM=OFF -DMODELOCK_BENCH=OFF -DMODELOCK_XRT=OFF >&2
# (binary, gtest filter) pairs; `*_sim*` names the refusals' sim instances.
tests=${COVERAGE_TESTS:-"sim/tests/lock_engine/test_rtl_lock_engine:*
tests/hls/test_hls:*_sim*
tests/device/test_device:*sim*"}
# shellcheck disable=SC2046
cmake --build "$build" -j"$jobs" --target $(echo "$tests" | sed 's/:.*//; s#.*/##') >&2

dat="$build/coverage-dat"
rm -rf "$dat"
mkdir -p "$dat"
MODELOCK_SIM_COVERAGE_DIR=$(cd "$dat" && pwd)
export MODELOCK_SIM_COVERAGE_DIR

start=$(date +%s)
echo "$tests" | while IFS=: read -r binary filter; do
  echo "sim-coverage: $binary --gtest_filter=$filter" >&2
  "$build/$binary" --gtest_filter="$filter" --gtest_brief=1 >&2
done
seconds=$(( $(date +%s) - start ))

files=$(find "$dat" -name '*.dat' | sort)
[ -n "$files" ] || { echo "sim-coverage: the tests wrote no coverage to $dat (is the model built with MODELOCK_SIM_COVERAGE?)" >&2; exit 1; }
# shellcheck disable=SC2086
verilator_coverage --write "$build/coverage.dat" $files >&2
rm -rf "$build/coverage-annotated"
total=$(verilator_coverage --annotate "$build/coverage-annotated" "$build/coverage.dat" | grep 'Total coverage' || true)

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# Which RTL the counts are of: a summary outlives the code it measured, so
# it names the commit (and says when rtl/ had uncommitted changes).
commit=$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$here/.." status --porcelain -- rtl 2>/dev/null)" ]; then
  commit="$commit (with uncommitted changes to rtl/)"
fi
/usr/bin/python3 "$here/coverage-table.py" "$build/coverage.dat" "$(echo "$files" | wc -l)" "$seconds" "$tests" \
  "${total:-(not printed)}" "$commit" >"$tmp"
mv "$tmp" "$out"
echo "sim-coverage: wrote $out (annotated sources in $build/coverage-annotated)" >&2
