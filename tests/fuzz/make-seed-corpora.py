#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_safetensors, fuzz_idx, fuzz_onnx_external_data
and (in part) fuzz_program (corpus/safetensors/, corpus/idx/,
corpus/onnx_external_data/, corpus/program/): small valid
files of every shape the readers accept, plus a few each of the refusals, so
that mutations start on both sides of each check.
Deterministic: running it again rewrites the same bytes.
(corpus/container/ is made with `modelock lock`, see corpus/README.md.)"""
import gzip
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(5)


def write(path, data):
    path = os.path.join(HERE, "corpus", path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def safetensors(path, entries, meta=None, raw_header=None, data=None):
    header, buffer = {}, b""
    if meta is not None:
        header["__metadata__"] = meta
    for name, dtype, shape, size in entries:
        n = 1
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(buffer), len(buffer) + n * size]}
        buffer += bytes(rng.randrange(256) for _ in range(n * size))
    if raw_header is None:
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * ((8 - len(text) % 8) % 8)  # the padding writers add
    else:
        text = raw_header
    write("safetensors/" + path, struct.pack("<Q", len(text)) + text + (buffer if data is None else data))


SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4,
         "U16": 2, "U8": 1, "BOOL": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "C64": 8}

safetensors("small-model.safetensors",
            [("layer1.weight", "F32", [3, 5], 4), ("layer1.bias", "F32", [3], 4), ("embed.half", "F16", [2, 3], 2),
             ("quant.weight", "I8", [4, 3], 1), ("empty", "F32", [0, 4], 4)], meta={"format": "pt"})
safetensors("every-dtype.safetensors", [("t." + k, k, [2], v) for k, v in SIZES.items()])
safetensors("empty.safetensors", [])
safetensors("metadata-only.safetensors", [], meta={"format": "pt", "note": "x"})
safetensors("scalar-and-empty.safetensors", [("s", "F64", [], 8), ("e", "U8", [0], 1), ("m", "I32", [1, 1, 2], 4)])
safetensors("sub-byte.safetensors", [], raw_header=b'{"w":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}',
            data=b"\x12\x34")
safetensors("duplicate-key.safetensors", [],
            raw_header=b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                       b'"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', data=b"\x01")
safetensors("gap.safetensors", [], raw_header=b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}',
            data=b"\x01\x02")


def idx(dims, payload, element_type=0x08):
    return bytes([0, 0, element_type, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(payload)


images = idx([3, 2, 2], [rng.randrange(256) for _ in range(12)])
labels = idx([3], [0, 9, 4])
write("idx/images-3x2x2.idx", images)
write("idx/labels-3.idx", labels)
write("idx/images-3x2x2.idx.gz", gzip.compress(images, mtime=0))
write("idx/labels-3.idx.gz", gzip.compress(labels, mtime=0))
write("idx/two-members.gz", gzip.compress(labels[:6], mtime=0) + gzip.compress(labels[6:], mtime=0))
write("idx/trailing.gz", gzip.compress(labels + bytes(40), mtime=0))
write("idx/truncated.gz", gzip.compress(images, mtime=0)[:-5])
write("idx/float-type.idx", idx([2], bytes(8), element_type=0x0d))
write("idx/zero-dim.idx", idx([0, 28, 28], b""))


# corpus/program/: engine programs written from the layout in
# docs/engine.md ("The engine program"), independently of host/program. The
# shipped models' programs (shipped-*.program) are cut from containers that
# `modelock lock --int8` wrote (corpus/README.md).
def program(records, input_chw, classes, tag=bytes(range(0xA0, 0xB0))):
    header = struct.pack("<7I", 0x52504C4D, 1, len(records), *input_chw, classes) + bytes(36)
    body = header
    blob = 0
    for index, (op, flags, cin, cout, window, rows, cols) in enumerate(records):
        words = [op, flags, *cin, *cout, *window, rows, cols, 0, 0, 0, 0]
        if rows:
            padded = (cols + 63) // 64 * 64
            lengths = [rows * padded, 4 * rows, 4 * rows, rows]
            refs, tags = [], b""
            for role, length in enumerate(lengths):
                # Tensors as a container lays out layer i's: consecutive,
                # each at the next 64-byte boundary; weight_scale skipped.
                refs += [blob, 0, blob, 0, length, 5 * index + role + 1]
                blob += (length + 63) // 64 * 64
                tags += bytes([5 * index + role + 1]) * 16
            blob += 64  # the layer's weight_scale
            words += refs
        else:
            words += [0] * 24
            tags = bytes(64)
        body += struct.pack("<48I", *words) + tags
    return body + tag + bytes(48)


no_window = [0] * 10
every_op = program([
    (2, 1, (2, 10, 10), (4, 10, 10), [3, 3, 1, 1, 1, 1, 1, 1, 1, 1], 4, 18),   # conv, relu
    (3, 0, (4, 10, 10), (4, 5, 5), [2, 2, 2, 2, 0, 0, 0, 0, 0, 0], 0, 0),     # max_pool
    (4, 2, (4, 5, 5), (4, 5, 5), [3, 3, 1, 1, 1, 1, 1, 1, 0, 0], 0, 0),       # average_pool, count_include_pad
    (5, 0, (4, 5, 5), (4, 1, 1), no_window, 0, 0),                            # global_average_pool
    (6, 0, (4, 1, 1), (4, 1, 1), no_window, 0, 0),                            # flatten
    (1, 0, (4, 1, 1), (10, 1, 1), no_window, 10, 4),                          # gemm
], (2, 10, 10), 10)
write("program/every-op.program", every_op)
write("program/truncated.program", every_op[:-64])
write("program/one-gemm.program", program([(1, 0, (70, 1, 1), (3, 1, 1), no_window, 3, 70)], (70, 1, 1), 3))


# corpus/onnx_external_data/: serialized onnx.TensorProto messages with
# external_data entries, encoded here from onnx.proto's field numbers (dims 1,
# data_type 2, name 8, raw_data 9, external_data 13 of key 1 / value 2,
# data_location 14), independently of the onnx package.
def varint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def tensor_proto(name, dims, entries, data_type=2, location=1, raw=None):  # 2 = UINT8, 1 = EXTERNAL
    body = b"".join(varint(1 << 3) + varint(d) for d in dims) + varint(2 << 3) + varint(data_type)
    body += field(8, name.encode())
    if raw is not None:
        body += field(9, raw)
    for key, value in entries:
        body += field(13, field(1, key.encode()) + field(2, value.encode()))
    return body + varint(14 << 3) + varint(location)


write("onnx_external_data/offset-length.pb",
      tensor_proto("w", [16], [("location", "model.onnx.data"), ("offset", "4"), ("length", "16")]))
write("onnx_external_data/to-the-end.pb", tensor_proto("w", [8], [("location", "weights/w.bin"), ("offset", "100")]))
write("onnx_external_data/checksum.pb",
      tensor_proto("w", [2, 3], [("location", "w.bin"), ("offset", "0"), ("length", "24"),
                                 ("checksum", "da39a3ee5e6b4b0d3255bfef95601890afd80709")], data_type=1))
write("onnx_external_data/dotdot.pb", tensor_proto("w", [4], [("location", "../w.bin"), ("length", "4")]))
write("onnx_external_data/absolute.pb", tensor_proto("w", [4], [("location", "/etc/passwd")]))
write("onnx_external_data/unknown-key.pb", tensor_proto("w", [4], [("location", "w.bin"), ("basepath", "/tmp")]))
write("onnx_external_data/overflow.pb",
      tensor_proto("w", [4], [("location", "w.bin"), ("offset", "9223372036854775807"), ("length", "4")]))
write("onnx_external_data/payload.pb", tensor_proto("w", [4], [("location", "w.bin")], raw=b"abcd"))
write("onnx_external_data/not-external.pb", tensor_proto("w", [4], [("location", "w.bin")], location=0))
