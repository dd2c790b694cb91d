#!/usr/bin/env python3
"""Writes the safetensors golden files that Modular's checkpoint tests read.

The safetensors package is deliberately not used (it is not installed here), so this script spells out the
layout its Rust core (huggingface/safetensors, safetensors/src/tensor.rs, `prepare` and `serialize`) writes:

* tensors sorted by descending dtype alignment (the order of its Dtype enum, largest first), then by name
  compared as UTF-8 bytes;
* a compact JSON header (serde_json: no spaces, non-ASCII written as UTF-8) with "__metadata__" first and
  the tensors in data order, each entry's fields in the order dtype, shape, data_offsets;
* the header padded with spaces to a multiple of 8 bytes, preceded by its length as a little-endian u64;
* the tensors' raw little-endian bytes, back to back.

The reference writes metadata in hash-map order; these fixtures sort it by key, as Modular's writer does.

Run: /usr/bin/python3 tests/golden/make_safetensors_fixture.py  (rewrites tests/golden/safetensors/*.safetensors)
"""
import json
import math
import pathlib
import struct

# safetensors' Dtype enum, in increasing alignment order.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "F64", "I64", "U64"]


def f32(values):
    return struct.pack(f"<{len(values)}f", *values)


def f16(values):
    return struct.pack(f"<{len(values)}e", *values)


def bf16(values):
    # A bfloat16 is the upper two bytes of the float32 (little-endian: bytes 2 and 3); exact for these values.
    packed = f32(values)
    return b"".join(packed[i + 2:i + 4] for i in range(0, len(packed), 4))


def serialize(tensors, metadata=None):
    """tensors: {name: (dtype, shape, raw little-endian bytes)} -> the bytes of a .safetensors file."""
    order = sorted(tensors, key=lambda name: (-DTYPE_ORDER.index(tensors[name][0]), name.encode("utf-8")))
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    for name in order:
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(tensors[name][2] for name in order)


def reference_f32():
    """F32 tensors of every rank Modular must handle, awkward names and values, and metadata that needs escaping."""
    tensors = {
        "Zeta.bias": ("F32", [3], f32([0.5, -1.25, 3.0])),  # uppercase sorts before lowercase by bytes
        "embed.weight": ("F32", [3, 4], f32([i * 0.1 - 0.35 for i in range(12)])),
        "h\u00e9ad.weight": ("F32", [2, 2], f32([1.0, 2.0, 3.0, 4.0])),  # non-ASCII name, raw UTF-8 in the header
        "layers.0.attention.query.lora_A.weight": ("F32", [2, 4], f32([math.sin(i) for i in range(8)])),
        "scalar": ("F32", [], f32([42.0])),
        "empty": ("F32", [0, 3], b""),
        "special": ("F32", [7], f32([-0.0, math.inf, -math.inf, math.nan, 1e-45, 3.4028234663852886e38, 1 / 3])),
    }
    metadata = {
        "format": "pt",
        "note": "quote \" backslash \\ newline \n tab \t caf\u00e9 \u2615 \U0001d11e",
        "control": "\x01\x7f",
    }
    return serialize(tensors, metadata)


def reference_half():
    """One tensor each of F32, BF16 and F16 with values those types hold exactly; no metadata."""
    tensors = {
        "f32": ("F32", [2], f32([1.0, -2.0])),
        "bf16": ("BF16", [4], bf16([1.0, -3.5, 2.0 ** 100, math.inf])),
        "f16": ("F16", [2, 3], f16([1.5, -2.25, 65504.0, 2.0 ** -24, -0.0, 2.0 ** -14])),
    }
    return serialize(tensors)


if __name__ == "__main__":
    out = pathlib.Path(__file__).resolve().parent / "safetensors"
    out.mkdir(exist_ok=True)
    (out / "reference_f32.safetensors").write_bytes(reference_f32())
    (out / "reference_half.safetensors").write_bytes(reference_half())
    print(f"wrote {out}/reference_f32.safetensors and reference_half.safetensors")
