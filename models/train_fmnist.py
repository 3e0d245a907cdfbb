#!/usr/bin/python3
"""Train two small Fashion-MNIST classifiers and export them to ONNX.

The exported models are the test fixtures of modelock's ONNX importer and
runtime.  This script writes, next to itself (or into --out):

* fmnist_mlp.onnx, fmnist_cnn.onnx -- opset 13, input ``input`` float32
  [N,1,28,28] (pixels / 255), output ``logits`` float32 [N,10];
* fmnist_reference.json -- PyTorch accuracies, predictions and logits that
  the C++ tests compare their runtime against;
* README.md -- description of the models and how to regenerate them.

Everything runs on the CPU with fixed seeds.  Nothing is downloaded: the data
set is read from the IDX files of the Debian package dataset-fashion-mnist.
Only this script uses PyTorch; the C++ build and tests never do.
"""

import argparse
import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

try:
    import onnx
    import onnx.numpy_helper
except ImportError:  # python3-onnx is optional; the checks are then skipped.
    onnx = None

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
OPSET = 13
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
ALLOWED_OPS = {"Gemm", "MatMul", "Add", "Conv", "Relu", "MaxPool",
               "BatchNormalization", "Flatten", "Reshape"}
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
N_REF_PREDICTIONS = 100
N_REF_LOGITS = 4
# Largest |onnx - torch| difference accepted when the exported graph is
# re-evaluated with numpy (float32 summation order differs).
EXPORT_TOLERANCE = 1e-4


def positive_int(text):
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def parse_args():
    """Parse the command line."""
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(
        description="Train small Fashion-MNIST models (MLP and CNN) on the "
                    "CPU and export them to ONNX for modelock.")
    parser.add_argument(
        "--data", type=Path,
        default=Path(os.environ.get("MODELOCK_FMNIST_DIR", DEFAULT_DATA_DIR)),
        help="directory holding the Fashion-MNIST IDX .gz files "
             "(default: $MODELOCK_FMNIST_DIR or %(default)s)")
    parser.add_argument(
        "--out", type=Path, default=here,
        help="directory for the .onnx, JSON and README files "
             "(default: the script's directory, %(default)s)")
    parser.add_argument("--mlp-epochs", type=positive_int, default=12,
                        help="MLP training epochs (default: %(default)s)")
    parser.add_argument("--cnn-epochs", type=positive_int, default=8,
                        help="CNN training epochs (default: %(default)s)")
    parser.add_argument("--batch-size", type=positive_int, default=128,
                        help="mini-batch size (default: %(default)s)")
    parser.add_argument("--lr", type=float, default=1e-3,
                        help="Adam learning rate (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of torch and numpy (default: %(default)s)")
    parser.add_argument("--threads", type=positive_int, default=2,
                        help="torch CPU threads (default: %(default)s)")
    return parser.parse_args()


def setup_determinism(seed, threads):
    """Seed the RNGs, pin the thread count, ask for deterministic kernels."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def read_idx(path):
    """Read a gzip-compressed IDX file of unsigned bytes into a numpy array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(ndim))
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {array.size} bytes of data, "
                         f"header says {shape}")
    return array.reshape(shape)


def load_split(data_dir, prefix):
    """Load one split ("train" or "t10k") as (images, labels) tensors.

    Images are float32 [N,1,28,28] scaled to [0,1] (x / 255, no mean/std
    normalisation), labels are int64 [N].
    """
    images = read_idx(data_dir / f"{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(data_dir / f"{prefix}-labels-idx1-ubyte.gz")
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f"{data_dir}: unexpected shapes {images.shape}, "
                         f"{labels.shape} for {prefix}")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def make_mlp():
    """Flatten, Linear(784,128), ReLU, Linear(128,64), ReLU, Linear(64,10)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10))


def make_cnn():
    """Two Conv-BatchNorm-ReLU-MaxPool blocks followed by two Linear layers."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 64), nn.ReLU(),
        nn.Linear(64, 10))


def train(model, x, y, epochs, batch_size, lr, seed):
    """Train `model` in place: Adam, cross-entropy, reshuffled each epoch."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(x.shape[0], generator=generator)
        total_loss = 0.0
        for start in range(0, x.shape[0], batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * idx.numel()
        print(f"  epoch {epoch + 1}/{epochs}: "
              f"mean loss {total_loss / x.shape[0]:.4f}", flush=True)
    model.eval()


@torch.no_grad()
def predict(model, x, batch_size=1000):
    """Return the float32 logits of `model` (in eval mode) for all of `x`."""
    model.eval()
    return torch.cat([model(x[i:i + batch_size])
                      for i in range(0, x.shape[0], batch_size)])


def export_onnx(model, path):
    """Export `model` (eval mode) to ONNX opset 13 with a dynamic batch axis.

    TrainingMode.PRESERVE on a model in eval mode exports inference-mode
    BatchNormalization nodes; TrainingMode.EVAL would fold them into the
    preceding Conv, and the C++ importer is meant to do that folding itself.
    """
    model.eval()
    torch.onnx.export(
        model, torch.zeros(1, 1, 28, 28), str(path),
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
        opset_version=OPSET,
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=False,
        export_params=True)


def _conv2d(x, w, b, attrs):
    """Numpy NCHW Conv (group 1, dilation 1) via im2col."""
    stride_h, stride_w = attrs.get("strides", [1, 1])
    top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
    if attrs.get("group", 1) != 1 or attrs.get("dilations", [1, 1]) != [1, 1]:
        raise NotImplementedError("Conv with groups or dilation")
    n, c, _, _ = x.shape
    m, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    oh = (xp.shape[2] - kh) // stride_h + 1
    ow = (xp.shape[3] - kw) // stride_w + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + stride_h * oh:stride_h,
                                  j:j + stride_w * ow:stride_w]
    y = np.einsum("mckl,ncklhw->nmhw", w, cols, optimize=True)
    return y + (b.reshape(1, m, 1, 1) if b is not None else 0)


def _maxpool2d(x, attrs):
    """Numpy NCHW MaxPool without padding."""
    kh, kw = attrs["kernel_shape"]
    sh, sw = attrs.get("strides", [1, 1])
    if any(attrs.get("pads", [0, 0, 0, 0])) or attrs.get("ceil_mode", 0):
        raise NotImplementedError("MaxPool with padding or ceil_mode")
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    windows = [x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
               for i in range(kh) for j in range(kw)]
    return np.max(windows, axis=0)


def run_onnx_numpy(model_proto, x):
    """Evaluate an exported graph with numpy, independently of PyTorch.

    Supports exactly the node types and attributes that export_onnx produces
    for the two models here; anything else raises NotImplementedError.
    """
    env = {t.name: onnx.numpy_helper.to_array(t)
           for t in model_proto.graph.initializer}
    env[INPUT_NAME] = x
    for node in model_proto.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a)
                 for a in node.attribute}
        ins = [env[name] if name else None for name in node.input]
        op = node.op_type
        if op == "Gemm":
            a, b = ins[0], ins[1]
            a = a.T if attrs.get("transA", 0) else a
            b = b.T if attrs.get("transB", 0) else b
            out = attrs.get("alpha", 1.0) * (a @ b)
            if len(ins) > 2:
                out = out + attrs.get("beta", 1.0) * ins[2]
        elif op == "Conv":
            out = _conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                          attrs)
        elif op == "BatchNormalization":
            x_, scale, bias, mean, var = ins
            shape = (1, -1, 1, 1)
            out = ((x_ - mean.reshape(shape))
                   / np.sqrt(var.reshape(shape) + attrs.get("epsilon", 1e-5))
                   * scale.reshape(shape) + bias.reshape(shape))
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        elif op == "MaxPool":
            out = _maxpool2d(ins[0], attrs)
        elif op == "Flatten":
            axis = attrs.get("axis", 1)
            out = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
        else:
            raise NotImplementedError(f"numpy check of ONNX op {op}")
        env[node.output[0]] = out.astype(np.float32)
    return env[OUTPUT_NAME]


def check_onnx(path, x_ref, logits_ref):
    """Check an exported file and return the sorted list of its op types.

    Runs the ONNX checker, requires every op to be in ALLOWED_OPS, every
    weight to be an embedded initializer, the I/O names and shapes to match
    the contract, and the numpy evaluation to reproduce PyTorch's logits.
    """
    model_proto = onnx.load(str(path))
    onnx.checker.check_model(model_proto, full_check=True)
    graph = model_proto.graph
    op_types = sorted({node.op_type for node in graph.node})
    bad_ops = set(op_types) - ALLOWED_OPS
    if bad_ops:
        raise RuntimeError(f"{path}: ops outside the allowed set: {bad_ops}")
    external = [t.name for t in graph.initializer
                if t.data_location == onnx.TensorProto.EXTERNAL]
    if external:
        raise RuntimeError(f"{path}: external-data initializers: {external}")

    def dims(value_info):
        """Shape of a graph input/output: dim names or sizes."""
        return [d.dim_param or d.dim_value
                for d in value_info.type.tensor_type.shape.dim]

    io = ([(v.name, dims(v)) for v in graph.input],
          [(v.name, dims(v)) for v in graph.output])
    expected_io = ([(INPUT_NAME, ["N", 1, 28, 28])],
                   [(OUTPUT_NAME, ["N", 10])])
    if io != expected_io:
        raise RuntimeError(f"{path}: inputs/outputs {io}, "
                           f"expected {expected_io}")
    diff = np.abs(run_onnx_numpy(model_proto, x_ref) - logits_ref).max()
    if diff > EXPORT_TOLERANCE:
        raise RuntimeError(f"{path}: numpy evaluation differs from PyTorch "
                           f"by {diff:.3g}")
    print(f"  {path.name}: checker ok, numpy re-evaluation max |diff| "
          f"{diff:.2e}")
    return op_types


def layer_summary(model):
    """Describe the layers of a Sequential model compactly on one line."""
    def describe(layer):
        if isinstance(layer, nn.Conv2d):
            return (f"Conv({layer.in_channels}->{layer.out_channels}, "
                    f"{layer.kernel_size[0]}x{layer.kernel_size[1]}, "
                    f"pad {layer.padding[0]})")
        if isinstance(layer, nn.BatchNorm2d):
            return f"BatchNorm({layer.num_features})"
        if isinstance(layer, nn.MaxPool2d):
            return f"MaxPool {layer.kernel_size}"
        if isinstance(layer, nn.Linear):
            return f"Linear({layer.in_features},{layer.out_features})"
        return type(layer).__name__
    return " -> ".join(describe(layer) for layer in model)


def format_json(obj):
    """Serialise to indented JSON, keeping each list of numbers on one line."""
    text = json.dumps(obj, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]",
                  lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    return text + "\n"


def write_readme(path, results, args):
    """Write README.md describing the models, preprocessing and accuracies."""
    def ops_text(r):
        return (", ".join(r["op_types"]) if r["op_types"]
                else "(not listed: python3-onnx not installed)")

    lines = [
        "# Fashion-MNIST test models",
        "",
        "Small classifiers trained on Fashion-MNIST and exported to ONNX, "
        "used as fixtures by modelock's ONNX importer and runtime tests.",
        "This file, the `.onnx` files and `fmnist_reference.json` are "
        "generated by `train_fmnist.py`; do not edit them by hand.",
        "",
        "## Regenerating",
        "",
        "```sh",
        "/usr/bin/python3 models/train_fmnist.py",
        "```",
        "",
        "It needs the Debian packages `python3-torch`, `python3-numpy`, "
        "`dataset-fashion-mnist` and (for the export checks) `python3-onnx`. "
        "The data set is read from "
        f"`{DEFAULT_DATA_DIR}`; override it with `--data DIR` or the "
        "environment variable `MODELOCK_FMNIST_DIR`. Nothing is downloaded. "
        "Training is CPU-only and seeded (`--seed`, default 0, "
        "`torch.use_deterministic_algorithms(True)`, 2 threads); "
        "`--help` lists the other options.",
        "",
        "**python3-torch is used only by this script**, never by the build "
        "or the tests: the C++ side only reads the committed `.onnx` and "
        "JSON files.",
        "",
        "## Input preprocessing",
        "",
        f"- Input tensor `{INPUT_NAME}`: float32, NCHW, shape `[N,1,28,28]` "
        "(the batch axis `N` is dynamic).",
        "- Pixel value = raw byte / 255.0, i.e. in [0,1]. "
        "No mean/std normalisation: the C++ side just divides by 255.",
        f"- Output tensor `{OUTPUT_NAME}`: float32 `[N,10]`, raw scores "
        "(no softmax); the predicted class is the argmax.",
        "- Classes: " + ", ".join(f"{i} {c}" for i, c in enumerate(CLASSES))
        + ".",
        "",
        "## Models",
        "",
        f"ONNX opset {OPSET}; all weights are initializers inside the file "
        "(no external data). BatchNormalization is kept as separate nodes "
        "(exported in inference mode); the importer folds it into the "
        "preceding Conv.",
        "",
        "| file | layers | parameters | size (bytes) | ONNX ops |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| `{r['file']}` | {r['layers']} | {r['params']:,} | "
                     f"{r['size']:,} | {ops_text(r)} |")
    lines += [
        "",
        "## Test accuracy",
        "",
        "fp32 PyTorch accuracy on the 10,000 Fashion-MNIST test images "
        f"(Adam, lr {args.lr:g}, batch {args.batch_size}, seed {args.seed}, "
        f"torch {torch.__version__}):",
        "",
        "| model | epochs | test accuracy |",
        "| --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| `{r['file']}` | {r['epochs']} | "
                     f"{100 * r['accuracy']:.2f}% |")
    lines += [
        "",
        "## fmnist_reference.json",
        "",
        "PyTorch's outputs for the C++ tests to compare against: "
        f"`test_labels_first_{N_REF_PREDICTIONS}` (true labels), and per "
        "model (key = file name) `test_accuracy` (fraction), "
        f"`predictions_first_{N_REF_PREDICTIONS}` (argmax of the first "
        f"{N_REF_PREDICTIONS} test images) and `logits_first_{N_REF_LOGITS}` "
        f"({N_REF_LOGITS}x10 float32 logits of the first {N_REF_LOGITS} test "
        "images). Test images are taken in file order from "
        "`t10k-images-idx3-ubyte.gz`.",
        "",
    ]
    path.write_text("\n".join(lines))


def main():
    """Train, evaluate, export and document both models."""
    args = parse_args()
    start_time = time.monotonic()
    setup_determinism(args.seed, args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    print(f"Fashion-MNIST from {args.data}: {len(y_train)} train, "
          f"{len(y_test)} test images")
    if onnx is None:
        print("warning: python3-onnx not installed, skipping ONNX checks",
              file=sys.stderr)

    results = []
    reference = {f"test_labels_first_{N_REF_PREDICTIONS}":
                 y_test[:N_REF_PREDICTIONS].tolist()}
    for file_name, make, epochs in (("fmnist_mlp.onnx", make_mlp,
                                     args.mlp_epochs),
                                    ("fmnist_cnn.onnx", make_cnn,
                                     args.cnn_epochs)):
        print(f"{file_name}: training {epochs} epochs", flush=True)
        torch.manual_seed(args.seed)
        model = make()
        train(model, x_train, y_train, epochs, args.batch_size, args.lr,
              args.seed)
        logits = predict(model, x_test)
        accuracy = (logits.argmax(1) == y_test).double().mean().item()
        print(f"{file_name}: test accuracy {100 * accuracy:.2f}%")

        path = args.out / file_name
        export_onnx(model, path)
        op_types = (check_onnx(path, x_test[:N_REF_PREDICTIONS].numpy(),
                               logits[:N_REF_PREDICTIONS].numpy())
                    if onnx is not None else [])
        results.append({
            "file": file_name, "epochs": epochs, "accuracy": accuracy,
            "layers": layer_summary(model),
            "params": sum(p.numel() for p in model.parameters()),
            "size": path.stat().st_size, "op_types": op_types})
        reference[file_name] = {
            "test_accuracy": accuracy,
            f"predictions_first_{N_REF_PREDICTIONS}":
                logits[:N_REF_PREDICTIONS].argmax(1).tolist(),
            f"logits_first_{N_REF_LOGITS}": logits[:N_REF_LOGITS].tolist(),
        }

    (args.out / "fmnist_reference.json").write_text(format_json(reference))
    write_readme(args.out / "README.md", results, args)
    elapsed = time.monotonic() - start_time
    print(f"wrote {args.out}; total time {elapsed:.0f} s")


if __name__ == "__main__":
    main()
