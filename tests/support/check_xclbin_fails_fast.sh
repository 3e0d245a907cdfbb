#!/bin/sh
# ctest xclbin_fails_fast_without_vitis: `make xclbin KERNEL=hls|rtl` stops
# at once, before building anything, naming each missing tool (v++ and
# vitis_hls for the HLS kernel, v++ and vivado for the RTL one) and what to
# install; an unknown KERNEL is refused by name. Runs the top Makefile, as a
# user does, with a PATH that has no Vitis.
# Usage: check_xclbin_fails_fast.sh SOURCE_DIR
set -u
src=$1
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
failures=0

# expect_stop "KERNEL=..." PATH "wanted line" ["line that must not appear"]
expect_stop() {
  out=$(env PATH="$2" make -s -C "$src" xclbin $1 2>&1)
  status=$?
  echo "--- make xclbin $1 (PATH=$2): exit $status"
  echo "$out"
  if [ $status -eq 0 ]; then echo "FAIL: make xclbin $1 succeeded"; failures=$((failures + 1)); fi
  if ! echo "$out" | grep -qF "$3"; then echo "FAIL: no line '$3'"; failures=$((failures + 1)); fi
  if [ -n "${4:-}" ] && echo "$out" | grep -qF "$4"; then echo "FAIL: line '$4'"; failures=$((failures + 1)); fi
  if ls -d "$src"/bitstreams/build_dir.* >/dev/null 2>&1; then
    echo "FAIL: make xclbin $1 created a build folder"; failures=$((failures + 1))
  fi
}

for kernel in hls rtl; do
  expect_stop "KERNEL=$kernel" /usr/bin:/bin "make xclbin KERNEL=$kernel: v++ not found."
  expect_stop "KERNEL=$kernel" /usr/bin:/bin "Install AMD Vitis 2022.2 or later"
done
expect_stop "KERNEL=hls" /usr/bin:/bin "make xclbin KERNEL=hls: vitis_hls not found."
expect_stop "KERNEL=rtl" /usr/bin:/bin "make xclbin KERNEL=rtl: vivado not found."
# The default is the HLS kernel.
expect_stop "" /usr/bin:/bin "make xclbin KERNEL=hls: v++ not found."
# With v++ on the PATH (one that fails if run) the check still stops first,
# naming only the tool that is missing.
printf '#!/bin/sh\necho "v++ ran: the check did not stop first"\nexit 3\n' >"$fake/v++"
chmod +x "$fake/v++"
expect_stop "KERNEL=rtl" "$fake:/usr/bin:/bin" "make xclbin KERNEL=rtl: vivado not found." "v++ not found"
expect_stop "KERNEL=hls" "$fake:/usr/bin:/bin" "make xclbin KERNEL=hls: vitis_hls not found." "v++ ran"
expect_stop "KERNEL=verilog" /usr/bin:/bin "KERNEL=verilog: expected hls (hls/kernel, Vitis HLS) or rtl (rtl/, Vivado)"

if [ $failures -ne 0 ]; then
  echo "check_xclbin_fails_fast: $failures failed"
  exit 1
fi
echo "check_xclbin_fails_fast: every case stopped at once with what to install"
