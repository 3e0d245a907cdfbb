#!/usr/bin/env bash
# run-fuzz.sh FUZZER SEED_CORPUS SECONDS
# Runs a libFuzzer target for a fixed time. New inputs go to a scratch
# directory, so the committed seed corpus is only read. Any crash, leak or
# sanitizer report fails the run and leaves the reproducer in the scratch
# directory, whose path is printed.
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3
[ -x "$fuzzer" ] || { echo "run-fuzz: $fuzzer is not built" >&2; exit 1; }
[ -d "$seeds" ] || { echo "run-fuzz: seed corpus $seeds is missing" >&2; exit 1; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/modelock-fuzz.XXXXXX")
echo "run-fuzz: $(basename "$fuzzer") for ${seconds}s from $seeds (scratch: $scratch)"
if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$scratch/" "$scratch" "$seeds" > "$scratch/fuzz.log" 2>&1; then
  tail -n 60 "$scratch/fuzz.log"
  echo "run-fuzz: FAILED; reproducer and log kept in $scratch" >&2
  exit 1
fi
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$scratch/fuzz.log" || true
echo "run-fuzz: no crash in ${seconds}s"
rm -rf "$scratch"
