#!/usr/bin/env bash
# run-fuzz.sh [-j JOBS] [-o OUT_DIR] MANIFEST SECONDS [NAME...]
#
# Runs every libFuzzer target of MANIFEST (tests/fuzz/CMakeLists.txt writes
# it: one line per target, "name<TAB>executable<TAB>seed corpus<TAB>dict")
# for SECONDS each, JOBS targets at a time (default 1), or only the targets
# NAMEd (fuzz_idx or idx). A target listed whose executable or seed corpus is
# missing fails the run.
#
# The committed seed corpus is only read: new inputs go to a scratch corpus
# in OUT_DIR/<run>/<target>/ (default OUT_DIR: fuzz-runs beside MANIFEST).
# Each target's executions and crashes are printed. Any crash, leak,
# timeout, out-of-memory or sanitizer report fails the run and keeps that
# target's directory: the reproducer (crash-*, leak-*, timeout-*, oom-*),
# the log, and the command that replays it. Directories of clean targets are
# removed.
set -euo pipefail

jobs=1
out_dir=
while getopts "j:o:" option; do
  case $option in
    j) jobs=$OPTARG ;;
    o) out_dir=$OPTARG ;;
    *) echo "usage: $0 [-j JOBS] [-o OUT_DIR] MANIFEST SECONDS [NAME...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -lt 2 ]; then
  echo "usage: $0 [-j JOBS] [-o OUT_DIR] MANIFEST SECONDS [NAME...]" >&2
  exit 2
fi
manifest=$1 seconds=$2
shift 2
[ -f "$manifest" ] || { echo "run-fuzz: manifest $manifest is missing (configure with -DMODELOCK_FUZZ=ON)" >&2; exit 1; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "run-fuzz: -j: expected a positive integer, got '$jobs'" >&2; exit 2; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "run-fuzz: SECONDS: expected a positive integer, got '$seconds'" >&2; exit 2; }
[ -n "$out_dir" ] || out_dir="$(dirname "$manifest")/fuzz-runs"

# Reads the manifest into parallel arrays, keeping only the targets asked for.
names=() executables=() corpora=() dicts=()
while IFS=$'\t' read -r name executable corpus dict; do
  [ -n "$name" ] || continue
  if [ $# -gt 0 ]; then
    wanted=false
    for asked in "$@"; do
      [ "$asked" = "$name" ] || [ "fuzz_$asked" = "$name" ] && wanted=true
    done
    $wanted || continue
  fi
  names+=("$name") executables+=("$executable") corpora+=("$corpus") dicts+=("$dict")
done < "$manifest"
if [ ${#names[@]} -eq 0 ]; then
  echo "run-fuzz: no target in $manifest${*:+ matches $*}" >&2
  exit 1
fi

# Checked for all targets before any runs, so a broken list fails at once.
for i in "${!names[@]}"; do
  [ -x "${executables[$i]}" ] || { echo "run-fuzz: ${names[$i]}: ${executables[$i]} is not built" >&2; exit 1; }
  if [ ! -d "${corpora[$i]}" ] || [ -z "$(ls -A "${corpora[$i]}")" ]; then
    echo "run-fuzz: ${names[$i]}: seed corpus ${corpora[$i]} is missing or empty" >&2
    exit 1
  fi
done

run_dir="$out_dir/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$run_dir"

# Runs target i and writes "<status> <executions> <crashes> <peak RSS MB>
# <seeds> <corpus after>" to its result file; status is ok or FAILED.
run_target() {
  local i=$1
  local name=${names[$i]} dir="$run_dir/${names[$i]}"
  mkdir -p "$dir/corpus"
  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                 -artifact_prefix="$dir/")
  [ -z "${dicts[$i]}" ] || options+=(-dict="${dicts[$i]}")
  local status=ok
  "${executables[$i]}" "${options[@]}" "$dir/corpus" "${corpora[$i]}" > "$dir/fuzz.log" 2>&1 || status=FAILED
  local executions rss crashes seeds found
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$dir/fuzz.log" | tail -n 1)
  crashes=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) | wc -l)
  seeds=$(find "${corpora[$i]}" -type f | wc -l)
  found=$(find "$dir/corpus" -type f | wc -l)
  # A run that ends without its final statistics did not fuzz.
  if [ -z "$executions" ] || [ "$executions" -eq 0 ] || [ "$crashes" -ne 0 ]; then status=FAILED; fi
  echo "$status ${executions:-0} $crashes ${rss:-?} $seeds $found" > "$dir/result"
}

echo "run-fuzz: ${#names[@]} target(s), ${seconds} s each, $jobs at a time (work directory $run_dir)"
running=0
for i in "${!names[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  echo "run-fuzz: ${names[$i]} started"
  run_target "$i" &
  running=$((running + 1))
done
wait

failed=0
printf 'run-fuzz: %-22s %12s %8s %10s %s\n' target executions crashes "peak RSS" "corpus (seeds + new)"
for i in "${!names[@]}"; do
  dir="$run_dir/${names[$i]}"
  read -r status executions crashes rss seeds found < "$dir/result"
  printf 'run-fuzz: %-22s %12s %8s %7s MB %s + %s  %s\n' "${names[$i]}" "$executions" "$crashes" "$rss" \
    "$seeds" "$found" "$status"
done
for i in "${!names[@]}"; do
  dir="$run_dir/${names[$i]}"
  read -r status _ < "$dir/result"
  if [ "$status" = ok ]; then
    rm -rf "$dir"
    continue
  fi
  failed=$((failed + 1))
  echo
  echo "run-fuzz: ${names[$i]} FAILED; the last lines of $dir/fuzz.log:"
  tail -n 40 "$dir/fuzz.log"
  for artifact in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
    [ -e "$artifact" ] || continue
    echo "run-fuzz: reproduce with: ${executables[$i]} $artifact"
  done
done
if [ "$failed" -ne 0 ]; then
  echo "run-fuzz: $failed of ${#names[@]} target(s) FAILED; reproducers and logs kept in $run_dir" >&2
  exit 1
fi
rmdir "$run_dir" 2>/dev/null || true
echo "run-fuzz: all ${#names[@]} target(s) ran ${seconds} s with no crash"
