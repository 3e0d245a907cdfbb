#!/bin/sh
# ctest build_makefile_keeps_werror: `make build`, `make sanitize` and
# `make fuzz` (so `make test` and CI) must configure with
# -DMODELOCK_WERROR=ON, while CMake's own default stays OFF for users on
# other compilers. Dry-runs the Makefile (make -n runs no recipe).
# Usage: check_makefile_werror.sh <source dir>
set -eu
src=$1
# Recipe lines continued with a backslash are joined before checking.
# A calling make's flags (make test WERROR=OFF, -j) must not leak into the dry run.
configure=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n -s -C "$src" build sanitize fuzz 2>/dev/null |
  sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep -e '-S \. -B' || true)
echo "$configure"
lines=$(printf '%s\n' "$configure" | grep -c -e '-S \. -B' || true)
werror=$(printf '%s\n' "$configure" | grep -c -e '-DMODELOCK_WERROR=ON' || true)
# Two builds: Release (build) and the clang sanitizer build that sanitize
# and fuzz share (make -n lists a shared prerequisite once).
if [ "$lines" -ne 2 ] || [ "$werror" -ne 2 ]; then
  echo "expected 2 configure lines (build; sanitize and fuzz share one), each with -DMODELOCK_WERROR=ON; got $lines lines, $werror with it" >&2
  exit 1
fi
if ! grep -q '^option(MODELOCK_WERROR "[^"]*" OFF)' "$src/CMakeLists.txt"; then
  echo "expected option(MODELOCK_WERROR ... OFF) in CMakeLists.txt: a plain cmake build must not turn warnings into errors" >&2
  exit 1
fi
echo "every make configure line sets -DMODELOCK_WERROR=ON; the CMake default is OFF"
