#!/usr/bin/env bash
# demo.sh BUILD_DIR — the end-to-end story on the shipped Fashion-MNIST models:
# lock, inspect, verify, tamper, evaluate with the right and wrong keys (fp32
# and int8), and break deeplock with four known weights while ctr holds.
# Everything it writes goes to out/demo/.
set -euo pipefail
build=${1:-build}
ml="$build/host/cli/modelock"
[ -x "$ml" ] || { echo "demo: $ml is not built (run make build)" >&2; exit 1; }
work=out/demo
rm -rf "$work" && mkdir -p "$work"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "1. A 128-bit master key for the model owner (mode 0600)"
run "$ml" keygen -o "$work/owner.key"
run "$ml" keygen -o "$work/stranger.key"

step "2. Lock the CNN with the hardened scheme (ctr) and with Deep-Lock's scheme"
run "$ml" lock models/fmnist_cnn.onnx -k "$work/owner.key" -o "$work/cnn-ctr.mlk"
run "$ml" lock models/fmnist_cnn.onnx -k "$work/owner.key" --scheme deeplock -o "$work/cnn-deeplock.mlk"
run "$ml" inspect "$work/cnn-ctr.mlk"

step "3. Verify: right key, wrong key (exit 3), a flipped bit (exit 4)"
run "$ml" verify "$work/cnn-ctr.mlk" -k "$work/owner.key"
set +e
"$ml" verify "$work/cnn-ctr.mlk" -k "$work/stranger.key"; echo "exit code $?"
cp "$work/cnn-ctr.mlk" "$work/tampered.mlk"
# Flip one bit in the middle of the file: inside the largest weight tensor.
/usr/bin/python3 - "$work/tampered.mlk" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01
open(path, "wb").write(data)
PY
"$ml" verify "$work/tampered.mlk" -k "$work/owner.key"; echo "exit code $?"
set -e

step "4. Unlock restores the ONNX file byte for byte"
run "$ml" unlock "$work/cnn-ctr.mlk" -k "$work/owner.key" -o "$work/cnn-restored.onnx"
run cmp models/fmnist_cnn.onnx "$work/cnn-restored.onnx" && echo "identical"

step "5. Accuracy: original, right key, wrong keys (fp32, full test set)"
run "$ml" eval models/fmnist_cnn.onnx --dataset fashion-mnist -k "$work/owner.key" --wrong-keys 3

step "6. int8 engine model (per-channel weights, 1000 calibration images), locked with deeplock"
run "$ml" lock models/fmnist_cnn.onnx --int8 --calib 1000 -k "$work/owner.key" --scheme deeplock -o "$work/cnn-int8.mlk"
run "$ml" eval "$work/cnn-int8.mlk" --precision int8 -k "$work/owner.key" --wrong-keys 3
run "$ml" run "$work/cnn-int8.mlk" -k "$work/owner.key" --first 0 --count 8

step "7. Known-plaintext attack: four known weights break deeplock, not ctr"
"$ml" lock models/fmnist_mlp.onnx -k "$work/owner.key" --scheme deeplock -o "$work/mlp-deeplock.mlk" >/dev/null
"$ml" lock models/fmnist_mlp.onnx -k "$work/owner.key" --scheme ctr -o "$work/mlp-ctr.mlk" >/dev/null
# The attacker knows four consecutive weights of layer 3 (say, from a public
# checkpoint the model was fine-tuned from). Here they are read from a
# plaintext (scheme none) container of the same model.
"$ml" lock models/fmnist_mlp.onnx -k "$work/owner.key" --scheme none -o "$work/mlp-plain.mlk" >/dev/null
"$ml" inspect "$work/mlp-plain.mlk" --json > "$work/mlp-plain.json"
mapfile -t known < <(/usr/bin/python3 - "$work/mlp-plain.mlk" "$work/mlp-plain.json" <<'PY'
import json, struct, sys
blob = open(sys.argv[1], "rb").read()
header = json.load(open(sys.argv[2]))
t = next(t for t in header["tensors"] if t["name"] == "3.weight")
for i in range(100, 104):
    at = header["blob_offset"] + t["offset"] + 4 * i
    print("--known")
    print("3.weight:%d=%.9g" % (i, struct.unpack("<f", blob[at:at + 4])[0]))
PY
)
run "$ml" attack known-plaintext "$work/mlp-deeplock.mlk" "${known[@]}" -o "$work/mlp-stolen.onnx"
run cmp models/fmnist_mlp.onnx "$work/mlp-stolen.onnx" && echo "the attacker has every weight"
set +e
run "$ml" attack known-plaintext "$work/mlp-ctr.mlk" "${known[@]}"; echo "exit code $?"
set -e

step "Done: files in $work/"
