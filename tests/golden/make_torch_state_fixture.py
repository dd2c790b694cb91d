#!/usr/bin/env python3
"""Writes the PyTorch state-dict fixtures that Modular.TorchSharp's tests load (tests/golden/torch/).

A small MLP, nn.Sequential(Linear(6, 16), GELU(), LayerNorm(16), Linear(16, 3)), seeded, with its LayerNorm's
affine parameters moved off their initial ones and ones so that loading them is observable. Files:

* mlp.pt           torch.save(model.state_dict()) in PyTorch's zip format (the default since 1.6)
* mlp.safetensors  the same tensors as F32 safetensors (written by hand: the safetensors package is not installed here)
* mlp-float64.pt   the same state converted to float64 (loading rounds it back to the same float32 values)
* mlp-io.json      an input batch x [5, 6] and PyTorch's float32 output y = model(x) [5, 3]
* nested.pt        {"model": state_dict, "step": 3}: a training checkpoint, not a state dict
* ids.pt           {"ids": torch.arange(4)}: an int64 tensor

Run: /usr/bin/python3 tests/golden/make_torch_state_fixture.py   (Debian 12: apt-get install python3-torch; 1.13.1)
"""
import collections
import json
import pathlib
import struct

import torch

out = pathlib.Path(__file__).resolve().parent / "torch"
out.mkdir(exist_ok=True)

torch.manual_seed(20261202)
model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.GELU(), torch.nn.LayerNorm(16), torch.nn.Linear(16, 3))
with torch.no_grad():
    model[2].weight.uniform_(0.5, 1.5)
    model[2].bias.uniform_(-0.5, 0.5)
state = model.state_dict()
torch.save(state, out / "mlp.pt")
torch.save(collections.OrderedDict((k, v.double()) for k, v in state.items()), out / "mlp-float64.pt")
torch.save({"model": state, "step": 3}, out / "nested.pt")
torch.save({"ids": torch.arange(4)}, out / "ids.pt")

x = torch.randn(5, 6)
with torch.no_grad():
    y = model(x)
# repr of a float32 widened to a Python float is exact, and reading it back as a double then a float32 gives the same bits.
(out / "mlp-io.json").write_text(json.dumps({
    "x": {"shape": list(x.shape), "data": [float(v) for v in x.flatten()]},
    "y": {"shape": list(y.shape), "data": [float(v) for v in y.flatten()]},
}, indent=1) + "\n")

# safetensors layout: u64 header length, JSON header (dtype, shape, data_offsets), padded with spaces to 8 bytes, then data.
header, blobs, offset = {}, [], 0
for name in sorted(state):
    data = state[name].contiguous().numpy().astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(state[name].shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
(out / "mlp.safetensors").write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
print("wrote", sorted(p.name for p in out.iterdir()))
