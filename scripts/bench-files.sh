#!/usr/bin/env bash
# Whole-file timings of the modelock CLI on a generated model, beside `cp`
# and `cat` of the same file on the same disk, one run, as a Markdown
# section on stdout (scripts/bench.sh appends it to docs/benchmarks.md).
#   usage: scripts/bench-files.sh MODELOCK_BINARY [SIZE_MIB] [DIR]
# SIZE_MIB (default 2048) of random F32 tensors, 256 MiB each, in a
# safetensors file under DIR (default: a new folder in /var/tmp, on disk
# rather than tmpfs); everything generated is deleted on exit.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 MODELOCK_BINARY [SIZE_MIB] [DIR]" >&2
  exit 2
fi
modelock=$(realpath "$1")
size_mib=${2:-2048}
work=$(mktemp -d "${3:-/var/tmp}/modelock-bench-files.XXXXXX")
trap 'rm -rf "$work"' EXIT
python=/usr/bin/python3

# The model: safetensors, F32 tensors of 256 MiB (the last may be shorter).
"$python" - "$work/model.safetensors" "$size_mib" <<'PY'
import json, os, struct, sys
path, mib = sys.argv[1], int(sys.argv[2])
total, piece = mib << 20, 256 << 20
header, offset, i = {}, 0, 0
while offset < total:
    n = min(piece, total - offset)
    header[f"layer{i}.weight"] = {"dtype": "F32", "shape": [n // 4], "data_offsets": [offset, offset + n]}
    offset, i = offset + n, i + 1
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text)
    for spec in header.values():
        n = spec["data_offsets"][1] - spec["data_offsets"][0]
        for _ in range(0, n, 16 << 20):
            f.write(os.urandom(min(16 << 20, n)))
            n -= 16 << 20
PY
"$modelock" keygen -o "$work/k.key" >/dev/null

# Wall seconds and peak RSS (MiB) of one command, after a sync so that no
# earlier write-back is charged to it.
measure() {
  local label=$1
  shift
  sync
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null
  read -r wall kib <"$work/time.txt"
  printf '| %s | %s | %s |\n' "$label" "$wall" "$((kib / 1024))"
}

model="$work/model.safetensors"
bytes=$(stat -c %s "$model")
echo "## Whole files: lock, verify and unlock beside cp"
echo
echo "One run of \`scripts/bench-files.sh\` on a generated safetensors file of $bytes bytes ($size_mib MiB of random F32 tensors, 256 MiB each) in $(dirname "$work"), on $(nproc) CPUs; wall time and peak RSS from \`/usr/bin/time\`. \`lock\` and \`unlock\` fsync their output before renaming it (docs/container-format.md, Writing), \`cp\` does not: the **cp + fsync** row (\`dd conv=fsync\`) is the fair baseline for them, **cp** the one the issue names. \`verify\` compares with \`cat FILE > /dev/null\`."
echo
echo "| command | wall s | peak RSS MiB |"
echo "| --- | ---: | ---: |"
measure "cp" cp "$model" "$work/copy.bin"
rm -f "$work/copy.bin"
measure "cp + fsync (dd conv=fsync)" dd if="$model" of="$work/copy.bin" bs=8M conv=fsync status=none
rm -f "$work/copy.bin"
measure "cat > /dev/null" cat "$model"
for scheme in ctr deeplock; do
  measure "lock --scheme $scheme" "$modelock" lock "$model" -k "$work/k.key" -o "$work/model.mlk" --scheme "$scheme"
  measure "verify ($scheme)" "$modelock" verify "$work/model.mlk" -k "$work/k.key"
  measure "unlock ($scheme)" "$modelock" unlock "$work/model.mlk" -k "$work/k.key" -o "$work/back.safetensors"
  cmp -s "$model" "$work/back.safetensors" || { echo "bench-files: unlock did not give the model back" >&2; exit 1; }
  rm -f "$work/model.mlk" "$work/back.safetensors"
done
