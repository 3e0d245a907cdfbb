#!/usr/bin/env bash
# Runs the unlock-throughput and per-query-latency benchmarks, the v2
# engine's cycle model and the RTL's cycles (bench_engine), the devices side
# by side (bench_devices) and the whole-file timings (bench-files.sh), and
# writes docs/benchmarks.md with its two pictures.
#   usage: scripts/bench.sh BUILD_DIR [extra Google Benchmark flags...]
# The extra flags go to both programs. `make bench` calls it after building.
# The raw JSON stays in BUILD_DIR/bench_unlock.json and
# BUILD_DIR/bench_inference.json.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [extra Google Benchmark flags...]" >&2
  exit 2
fi
build_dir=$1
shift

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench="$build_dir/tests/bench/bench_unlock"
json="$build_dir/bench_unlock.json"
bench_inf="$build_dir/tests/bench/bench_inference"
json_inf="$build_dir/bench_inference.json"
bench_eng="$build_dir/tests/bench/bench_engine"
md_eng="$build_dir/bench_engine.md"
md_rtl="$build_dir/bench_engine_sim.md"
bench_dev="$build_dir/tests/bench/bench_devices"
out_dev="$build_dir/bench_devices"
report="$root/docs/benchmarks.md"
python=/usr/bin/python3

for b in "$bench" "$bench_inf" "$bench_eng" "$bench_dev" "$build_dir/host/cli/modelock"; do
  if [ ! -x "$b" ]; then
    echo "bench: $b not found; build it first:" >&2
    echo "  cmake -S . -B $build_dir -DCMAKE_BUILD_TYPE=Release -DMODELOCK_BENCH=ON" >&2
    echo "  cmake --build $build_dir -j2 --target bench_unlock bench_inference bench_engine bench_devices modelock     (or: make bench)" >&2
    exit 1
  fi
done
if [ ! -x "$python" ]; then
  echo "bench: $python is needed to write the report (apt-get install python3)" >&2
  exit 1
fi

build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
if [ "$build_type" != "Release" ]; then
  echo "bench: warning: $build_dir is a '${build_type:-unknown}' build, not Release; numbers will not be representative" >&2
fi

# Random interleaving runs the repetitions of all benchmarks in a shuffled
# order, so load from other processes spreads over every row alike.
run() {
  local program=$1 out=$2
  shift 2
  "$program" \
    --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true \
    --benchmark_format=json \
    --benchmark_out_format=json \
    --benchmark_out="$out" \
    "$@" >/dev/null
}
echo "bench: running $bench (3 repetitions each, interleaved; about a minute)"
run "$bench" "$json" "$@"
echo "bench: running $bench_inf (3 repetitions each, interleaved; about a minute)"
run "$bench_inf" "$json_inf" "$@"
echo "bench: running $bench_eng (the v2 kernel in C simulation; cycle counts, not timings)"
"$bench_eng" >"$md_eng"
# The RTL engine under Verilator (a build with MODELOCK_RTL, the default):
# its real cycles, and how many of them Verilator simulates per second.
if [ -f "$build_dir/sim/libmodelock_lock_engine_model.a" ]; then
  echo "bench: running $bench_eng sim (the RTL engine under Verilator, batch 1 and 8; a minute or two)"
  "$bench_eng" sim >"$md_rtl"
else
  echo "bench: $build_dir has no Verilator model (MODELOCK_RTL=OFF): the RTL engine's section is left out" >&2
  : >"$md_rtl"
fi
# The devices side by side; without the Verilator model bench_devices
# leaves sim out and says so.
echo "bench: running $bench_dev (cpu, hls and sim side by side; minutes, most of them Verilator)"
"$bench_dev" "$out_dev" >"$out_dev.md"

# Machine description for the report.
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
cpu=${cpu:-unknown}
cores=$(nproc 2>/dev/null || echo '?')
flags=$(sed -n 's/^flags[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)
simd=""
for f in aes avx2 avx512f avx512bw gfni vaes; do
  case " $flags " in *" $f "*) simd="$simd $f" ;; esac
done
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
compiler=$("${cxx:-c++}" --version 2>/dev/null | head -n1 || echo unknown)
openssl_version=$(openssl version 2>/dev/null || dpkg-query -W -f='libssl-dev ${Version}' libssl-dev 2>/dev/null || echo unknown)
gbench_version=$(dpkg-query -W -f='${Version}' libbenchmark-dev 2>/dev/null || echo unknown)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
# The report and chart this script rewrites do not count as changes to the code measured.
if [ "$commit" != unknown ] && [ -n "$(git -C "$root" status --porcelain 2>/dev/null | grep -v " docs/benchmarks")" ]; then
  commit="$commit (with uncommitted changes)"
fi

mkdir -p "$(dirname "$report")"
tmp=$(mktemp "$report.XXXXXX")
trap 'rm -f "$tmp"' EXIT
plot_tsv="$build_dir/bench_throughput.tsv"
plot_png="$(dirname "$report")/benchmarks-throughput.png"
"$python" "$root/tests/bench/report.py" "$json" "$tmp" \
  "--inference=$json_inf" \
  "--plot-data=$plot_tsv" "--plot-image=$(basename "$plot_png")" \
  "CPU=$cpu ($cores logical CPUs;$simd)" \
  "date=$(date -u '+%Y-%m-%d %H:%M UTC')" \
  "compiler=$compiler, CMake build type ${build_type:-unknown}" \
  "OpenSSL=$openssl_version" \
  "Google Benchmark=$gbench_version" \
  "commit=$commit"
# The engine's cycle model, the RTL's cycles, and the devices side by side
# with their picture: sections of their own, after those report.py writes.
engine_png="$(dirname "$report")/benchmarks-engine.png"
for section in "$md_eng" "$md_rtl" "$out_dev.md"; do
  [ -s "$section" ] || continue
  printf '\n' >>"$tmp"
  cat "$section" >>"$tmp"
done
printf '![Engine cycles per image by scheme, and throughput against images per run](%s)\n' "$(basename "$engine_png")" >>"$tmp"
# Whole-file lock/verify/unlock beside cp on a generated 2 GiB model
# (deleted again by the script).
echo "bench: timing lock, verify and unlock of a generated 2 GiB file beside cp (a few minutes)"
printf '\n' >>"$tmp"
bash "$root/scripts/bench-files.sh" "$build_dir/host/cli/modelock" 2048 >>"$tmp"
mv "$tmp" "$report"
trap - EXIT
if command -v gnuplot >/dev/null 2>&1; then
  gnuplot -e "data='$plot_tsv'; out='$plot_png'" "$root/scripts/plot-throughput.gp"
  gnuplot -e "cycles='$out_dev-cycles.tsv'; batch='$out_dev-batch.tsv'; out='$engine_png'" "$root/scripts/plot-engine.gp"
  echo "bench: drew $plot_png and $engine_png"
else
  echo "bench: gnuplot not found (Debian package gnuplot-nox): $plot_png not redrawn" >&2
fi
echo "bench: wrote $report (raw results: $json, $json_inf, $md_eng, $md_rtl, $out_dev.json)"
