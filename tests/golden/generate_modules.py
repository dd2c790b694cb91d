#!/usr/bin/python3
"""Writes the golden files Modular's module tests compare with: PyTorch's outputs and gradients for each module type.

Plain torch (1.13, Debian's python3-torch), no peft package. The reference re-implements Modular's layers
(src/Modular.Core/NN/Layers) functionally, with every tensor named by its path in Modular's module tree, so the C#
tests load the very same values by path:

* post-LN encoder layer: x <- LN1(x + Attention(x)); x <- LN2(x + FeedForward(x)); separate query, key, value and
  output Linear layers; softmax(q k^T / sqrt(d_head)) v with padded keys masked out; FeedForward = down(gelu(up(x)))
  with exact (erf) GELU; LayerNorm eps 1e-5;
* classifier: token embedding + learned positions, encoder layers, mean pooling over real tokens, linear head;
* a module at a layer rewrites that layer's output y computed from input x, as Modular's sites do:
  LoRA y + (alpha/r) (x A^T) B^T; sequential adapter y + up(relu(down(y))); parallel adapter
  y + s up(relu(down(x))); (IA)^3 y * l; prefix and prompt tuning prepend learned vectors along the sequence
  (prefix keys are never masked; prompt positions count as tokens in pooling).

Parameters and inputs are drawn as float32 (the values the C# tests load) and the reference runs in float64, so the
recorded outputs and gradients are the exact results for those float32 values.

Also writes a LoRA adapter in PEFT's layout (adapter_config.json + adapter_model.safetensors, written by hand as
PEFT's save_pretrained does) for the tiny classifier, keyed as a PyTorch model named like shared/bench/torch_ref.py
would have it (layers.N.q, layers.N.v, head), and the classifier's output with that adapter applied.

Run: /usr/bin/python3 tests/golden/generate_modules.py  (rewrites tests/golden/modules/)
"""
import json
import math
import pathlib
import struct
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # importing the sibling generator must not leave __pycache__ among the golden files
from make_safetensors_fixture import serialize  # noqa: E402

D, HEADS, FF = 8, 2, 16              # the encoder layer and the classifier's layers
BATCH, LENGTH = 2, 5                 # encoder-layer inputs
VOCAB, LAYERS, CLASSES, MAX_LENGTH = 12, 2, 3, 6
MASK = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]   # the second example is padded

generator = torch.Generator().manual_seed(20240611)


def draw(*shape, scale=1.0, offset=0.0):
    """A float32 tensor of N(offset, scale^2) values, widened to float64 for the reference."""
    return (torch.randn(*shape, generator=generator) * scale + offset).float().double()


def linear_params(prefix, fan_in, fan_out, bias=True):
    bound = 1 / math.sqrt(fan_in)
    params = {f"{prefix}.weight": ((torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound).float().double()}
    if bias:
        params[f"{prefix}.bias"] = ((torch.rand(fan_out, generator=generator) * 2 - 1) * bound).float().double()
    return params


def layer_params(prefix=""):
    p = {}
    for name in ("query", "key", "value", "output"):
        p.update(linear_params(f"{prefix}attention.{name}", D, D))
    p.update(linear_params(f"{prefix}feedForward.up", D, FF))
    p.update(linear_params(f"{prefix}feedForward.down", FF, D))
    for norm in ("attentionNorm", "outputNorm"):
        p[f"{prefix}{norm}.weight"] = draw(D, scale=0.1, offset=1.0)
        p[f"{prefix}{norm}.bias"] = draw(D, scale=0.1)
    return p


def classifier_params():
    p = {"embeddings.tokens.weight": draw(VOCAB, D), "embeddings.positions": draw(MAX_LENGTH, D, scale=0.02)}
    for i in range(LAYERS):
        p.update(layer_params(f"layers.{i}."))
    p.update(linear_params("head", D, CLASSES))
    return p


# ----------------------------------------------------------------------------- modules
# A module is a function (p, m, x, y) -> new y: p holds every tensor by path, m is the module's path prefix
# ("<host path>.modules.golden."), x and y are the host layer's input and output.
def lora(scale):
    return lambda p, m, x, y: y + scale * F.linear(F.linear(x, p[m + "A"]), p[m + "B"])


def bottleneck(p, m, h):
    down = F.linear(h, p[m + "adapter.down.weight"], p[m + "adapter.down.bias"])
    return F.linear(F.relu(down), p[m + "adapter.up.weight"], p[m + "adapter.up.bias"])


def sequential_adapter(p, m, x, y):
    return y + bottleneck(p, m, y)


def parallel_adapter(scale):
    return lambda p, m, x, y: y + scale * bottleneck(p, m, x)


def rescale(p, m, x, y):
    return y * p[m + "scale"]


def prepend(name):
    return lambda p, m, x, y: torch.cat([p[m + name].unsqueeze(0).expand(y.shape[0], -1, -1), y], dim=1)


# ----------------------------------------------------------------------------- the reference model
class Reference:
    """Modular's layers as functions of a {path: tensor} dict, with modules at sites {host path: [module, ...]}."""

    def __init__(self, params, sites):
        self.p, self.sites = params, sites

    def site(self, path, x, y):
        for module in self.sites.get(path, []):
            y = module(self.p, f"{path}.modules.golden.", x, y)
        return y

    def linear(self, path, x):
        return self.site(path, x, F.linear(x, self.p[f"{path}.weight"], self.p[f"{path}.bias"]))

    def norm(self, path, x):
        return self.site(path, x, F.layer_norm(x, (D,), self.p[f"{path}.weight"], self.p[f"{path}.bias"], 1e-5))

    def attention(self, prefix, x, mask):
        batch, length, _ = x.shape
        dh = D // HEADS
        q, k, v = (self.linear(f"{prefix}attention.{n}", x) for n in ("query", "key", "value"))
        keys = k.shape[1]
        qh = q.view(batch, length, HEADS, dh).transpose(1, 2)
        kh = k.view(batch, keys, HEADS, dh).transpose(1, 2)
        vh = v.view(batch, keys, HEADS, dh).transpose(1, 2)
        scores = qh @ kh.transpose(-1, -2) * (1.0 / math.sqrt(dh))
        if mask is not None:  # prepended (prefix) keys are always attended to
            key_mask = torch.cat([torch.ones(batch, keys - length, dtype=mask.dtype), mask], dim=1)
            scores = scores.masked_fill(key_mask[:, None, None, :] == 0, float("-inf"))
        context = (torch.softmax(scores, dim=-1) @ vh).transpose(1, 2).reshape(batch, length, D)
        return self.site(f"{prefix}attention", x, self.linear(f"{prefix}attention.output", context))

    def feed_forward(self, prefix, x):
        hidden = self.linear(f"{prefix}feedForward.up", x)
        hidden = self.site(f"{prefix}feedForward.activation", hidden, F.gelu(hidden))
        return self.site(f"{prefix}feedForward", x, self.linear(f"{prefix}feedForward.down", hidden))

    def encoder_layer(self, prefix, x, mask):
        h = self.norm(f"{prefix}attentionNorm", x + self.attention(prefix, x, mask))
        return self.norm(f"{prefix}outputNorm", h + self.feed_forward(prefix, h))

    def classifier(self, ids, mask):
        e = self.p["embeddings.tokens.weight"][ids] + self.p["embeddings.positions"][: ids.shape[1]]
        x = self.site("embeddings", e, e)
        if mask is not None and x.shape[1] > ids.shape[1]:  # prompt positions are tokens
            mask = torch.cat([torch.ones(ids.shape[0], x.shape[1] - ids.shape[1], dtype=mask.dtype), mask], dim=1)
        for i in range(LAYERS):
            x = self.encoder_layer(f"layers.{i}.", x, mask)
        pooled = x.mean(dim=1) if mask is None else (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        return F.linear(pooled, self.p["head.weight"], self.p["head.bias"])


# ----------------------------------------------------------------------------- cases: (module parameters, sites)
def named(host, values):
    return {f"{host}.modules.golden.{k}": v for k, v in values.items()}


def lora_on(hosts):
    """LoRA rank 2, alpha 4 (scale 2)."""
    params = {}
    for host in hosts:
        params.update(named(host, {"A": draw(2, D, scale=0.5), "B": draw(D, 2, scale=0.5)}))
    return params, {host: [lora(4.0 / 2)] for host in hosts}


def adapters_on(hosts, module):
    """Bottleneck adapters with reduction factor 2 (bottleneck D/2), ReLU, non-zero up projection."""
    params = {}
    for host in hosts:
        params.update(named(host, {"adapter.down.weight": draw(D // 2, D, scale=0.5), "adapter.down.bias": draw(D // 2, scale=0.1),
                                   "adapter.up.weight": draw(D, D // 2, scale=0.5), "adapter.up.bias": draw(D, scale=0.1)}))
    return params, {host: [module] for host in hosts}


def ia3():
    hosts = {"attention.key": D, "attention.value": D, "feedForward.activation": FF}
    params = {}
    for host, width in hosts.items():
        params.update(named(host, {"scale": draw(width, scale=0.3, offset=1.0)}))
    return params, {host: [rescale] for host in hosts}


def prefix_tuning():
    """3 prefix positions on the keys and the values."""
    hosts = ["attention.key", "attention.value"]
    params = {}
    for host in hosts:
        params.update(named(host, {"prefix": draw(3, D)}))
    return params, {host: [prepend("prefix")] for host in hosts}


def prompt_tuning():
    """2 prompt tokens."""
    return named("embeddings", {"prompt": draw(2, D)}), {"embeddings": [prepend("prompt")]}


CASES = [
    ("lora", "layer", lambda: lora_on(["attention.query", "attention.value"])),
    ("pfeiffer", "layer", lambda: adapters_on(["feedForward"], sequential_adapter)),
    ("houlsby", "layer", lambda: adapters_on(["attention", "feedForward"], sequential_adapter)),
    ("parallel", "layer", lambda: adapters_on(["feedForward"], parallel_adapter(0.5))),
    ("ia3", "layer", ia3),
    ("prefix", "layer", prefix_tuning),
    ("prompt", "model", prompt_tuning),
    ("model_lora", "model", lambda: lora_on([f"layers.{i}.attention.{n}" for i in range(LAYERS) for n in ("query", "value")])),
]


def run(base, inputs, kind, params, sites):
    """Output and gradients of sum(output * upstream) with respect to the module parameters (and the layer input)."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    model = Reference({**base, **leaves}, sites)
    if kind == "layer":
        x = inputs["x"].clone().requires_grad_(True)
        output = model.encoder_layer("", x, inputs["mask"])
    else:
        output = model.classifier(inputs["ids"], inputs["mask"])
    (output * inputs["upstream"]).sum().backward()
    grads = {f"grad/{k}": v.grad for k, v in leaves.items()}
    if kind == "layer":
        grads["grad_input"] = x.grad
    return output, grads


# ----------------------------------------------------------------------------- PEFT
PEFT_RANK, PEFT_ALPHA, PEFT_DROPOUT = 2, 8, 0.05


def torch_ref_path(path):
    """A module path of Modular's classifier as a PyTorch model named like shared/bench/torch_ref.py has it."""
    return path.replace(".attention.query", ".q").replace(".attention.value", ".v")


def peft_adapter(base):
    """A LoRA on every query and value projection plus a retrained head (modules_to_save), and the output it gives."""
    hosts = [f"layers.{i}.attention.{n}" for i in range(LAYERS) for n in ("query", "value")]
    factors = {host: (draw(PEFT_RANK, D, scale=0.5), draw(D, PEFT_RANK, scale=0.5)) for host in hosts}
    head = {"head.weight": draw(CLASSES, D, scale=0.5), "head.bias": draw(CLASSES, scale=0.1)}
    tensors = {}
    for host, (a, b) in factors.items():
        tensors[f"base_model.model.{torch_ref_path(host)}.lora_A.weight"] = f32_entry(a)
        tensors[f"base_model.model.{torch_ref_path(host)}.lora_B.weight"] = f32_entry(b)
    for path, value in head.items():
        tensors[f"base_model.model.{path}"] = f32_entry(value)
    config = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "tiny-torch-ref-classifier", "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True, "layer_replication": None,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": PEFT_ALPHA,
        "lora_dropout": PEFT_DROPOUT, "megatron_config": None, "megatron_core": "megatron.core",
        "modules_to_save": ["head"], "peft_type": "LORA", "r": PEFT_RANK, "rank_pattern": {}, "revision": None,
        "target_modules": ["q", "v"], "task_type": "SEQ_CLS", "use_dora": False, "use_rslora": False,
    }
    params = {**base, **head, **{f"{h}.modules.golden.A": a for h, (a, _) in factors.items()},
              **{f"{h}.modules.golden.B": b for h, (_, b) in factors.items()}}
    return tensors, config, params, {host: [lora(PEFT_ALPHA / PEFT_RANK)] for host in hosts}


def f32_entry(tensor):
    values = tensor.detach().float().reshape(-1).tolist()
    return ("F32", list(tensor.shape), struct.pack(f"<{len(values)}f", *values))


def main():
    root = pathlib.Path(__file__).resolve().parent / "modules"
    (root / "peft_lora").mkdir(parents=True, exist_ok=True)
    bases = {"layer": layer_params(), "model": classifier_params()}
    inputs = {
        "layer": {"x": draw(BATCH, LENGTH, D), "mask": torch.tensor(MASK, dtype=torch.float64), "upstream": draw(BATCH, LENGTH, D)},
        "model": {"ids": torch.randint(VOCAB, (BATCH, LENGTH), generator=generator), "mask": torch.tensor(MASK, dtype=torch.float64),
                  "upstream": draw(BATCH, CLASSES)},
    }
    out = {}
    for kind, params in bases.items():
        out.update({f"{kind}/base/{k}": f32_entry(v) for k, v in params.items()})
        out.update({f"{kind}/{k}": f32_entry(v.double()) for k, v in inputs[kind].items()})
    for name, kind, make in CASES:
        params, sites = make()
        output, grads = run(bases[kind], inputs[kind], kind, params, sites)
        out.update({f"{name}/param/{k}": f32_entry(v) for k, v in params.items()})
        out[f"{name}/output"] = f32_entry(output)
        out.update({f"{name}/{k}": f32_entry(v) for k, v in grads.items()})

    adapter, config, params, sites = peft_adapter(bases["model"])
    output = Reference(params, sites).classifier(inputs["model"]["ids"], inputs["model"]["mask"])
    out["peft/output"] = f32_entry(output)
    (root / "peft_lora" / "adapter_model.safetensors").write_bytes(serialize(adapter, {"format": "pt"}))
    (root / "peft_lora" / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True))
    (root / "reference.safetensors").write_bytes(serialize(out))
    print(f"wrote {root}: {len(out)} tensors, {sum(len(e[2]) for e in out.values())} bytes of data")


if __name__ == "__main__":
    main()
