#!/usr/bin/python3
"""Writes the PyTorch golden fixtures for Modular's neural-network layers and optimisers.

Run with Debian's python3 + python3-torch (1.13), from anywhere:
  /usr/bin/python3 tests/golden/generate_nn.py

It writes three JSON files next to this script, under fixtures/:
  nn-layers.json      Linear, LayerNorm, self-attention (with and without a padding mask), feed-forward and the
                      post-LN encoder layer: fixed weights, inputs, outputs and the gradients of (out * R).sum()
                      with respect to the input x and every parameter
  nn-classifier.json  a small Transformer classifier (torch_ref.py's Classifier, scaled down): logits, the
                      cross-entropy loss and the gradient of every parameter, with and without padding; and the
                      parameter count of the full anchor configuration
  nn-optim.json       5 steps of SGD / Adam / AdamW on a small MLP (parameters after every step), warm-up
                      schedule factors as LambdaLR applies them, and clip_grad_norm_

Every tensor is {"shape": [...], "data": [...]} (row-major, float32 values printed with 9 significant digits, so
they round-trip exactly). Parameters keep their PyTorch state_dict names; the C# tests map them to Modular paths.
Each case also stores float32_error: how far PyTorch's own float32 results are from the same computation in
float64, which sets the absolute floor of the C# comparisons (see README-nn.md).

The reference modules below compute exactly what ../../shared/bench/torch_ref.py (the performance anchor) computes,
with its parameter names and order of operations, and add only what Modular's layers also support: a key padding
mask (1 = token) and masked mean pooling.
"""
import copy
import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent / "fixtures"

# The anchor configuration of torch_ref.py, whose parameter count Modular must reproduce.
ANCHOR = dict(vocab=1000, d_model=256, n_layers=4, n_heads=4, d_ff=1024, seq_len=64, n_classes=2)
# The scaled-down classifier whose forward and backward are recorded.
SMALL = dict(vocab=50, d_model=16, n_layers=2, n_heads=2, d_ff=32, seq_len=8, n_classes=3)


# ----------------------------------------------------------------------------- reference modules (torch_ref.py)
def self_attention(m, x, heads, mask):
    """The attention lines of torch_ref.EncoderLayer.forward (through the output projection), plus Modular's key
    padding mask: keys where mask == 0 get a score of -inf."""
    B, L, D = x.shape
    dh = D // heads
    q = m.q(x).view(B, L, heads, dh).transpose(1, 2)
    k = m.k(x).view(B, L, heads, dh).transpose(1, 2)
    v = m.v(x).view(B, L, heads, dh).transpose(1, 2)
    scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(dh))
    if mask is not None:
        scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    att = torch.softmax(scores, dim=-1)
    a = torch.matmul(att, v).transpose(1, 2).reshape(B, L, D)
    return m.o(a)


class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, mask=None):
        return self_attention(self, x, self.h, mask)


class FeedForward(nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x):
        return self.ff2(F.gelu(self.ff1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, d, h, ff):
        super().__init__()
        self.h = h
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.ff1, self.ff2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x, mask=None):
        x = self.ln1(x + self_attention(self, x, self.h, mask))
        f = self.ff2(F.gelu(self.ff1(x)))
        return self.ln2(x + f)


class Classifier(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.emb = nn.Embedding(c["vocab"], c["d_model"])
        self.pos = nn.Parameter(torch.randn(c["seq_len"], c["d_model"]) * 0.02)
        self.layers = nn.ModuleList(EncoderLayer(c["d_model"], c["n_heads"], c["d_ff"]) for _ in range(c["n_layers"]))
        self.head = nn.Linear(c["d_model"], c["n_classes"])

    def forward(self, ids, mask=None):
        x = self.emb(ids) + self.pos[: ids.shape[1]]
        for l in self.layers:
            x = l(x, mask)
        if mask is None:
            pooled = x.mean(dim=1)
        else:
            pooled = (x * mask[..., None]).sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1)
        return self.head(pooled)


def randomise_norms(module):
    """LayerNorm starts at γ = 1, β = 0, which would hide a swapped or ignored norm; draw both instead."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)


# ----------------------------------------------------------------------------- serialisation
def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]}


def ints_json(t):
    return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}


def write(name, content):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(content, separators=(",", ":")) + "\n")
    tmp.replace(path)
    print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


def float32_error(results, reference):
    """Largest deviation of PyTorch's float32 results from the same computation in float64: the rounding error a
    correct float32 implementation may differ from PyTorch by, which the C# tests use as their absolute floor."""
    return max((results[k].double() - reference[k]).abs().max().item() for k in results)


def layer_run(module, x, mask, r=None):
    """Output and gradients (input and parameters) of (module(x) * r).sum(); r is drawn if not given."""
    module.zero_grad(set_to_none=True)  # cases may share a module: each records its own gradients only
    x = x.clone().requires_grad_(True)
    out = module(x) if mask is None else module(x, mask)
    r = torch.randn(out.shape) if r is None else r
    (out * r).sum().backward()
    grads = {"x": x.grad, **{n: p.grad for n, p in module.named_parameters()}}
    return {"out": out.detach(), **{f"grad.{n}": g for n, g in grads.items()}}, r


def layer_case(module, x, mask=None, **config):
    """Forward of module on x (and mask), then backward of (out * R).sum() for a fixed random R."""
    results, r = layer_run(module, x, mask)
    reference, _ = layer_run(copy.deepcopy(module).double(), x.double(), None if mask is None else mask.double(), r.double())
    case = {
        "config": config,
        "float32_error": float32_error(results, reference),
        "params": {n: tensor_json(p) for n, p in module.named_parameters()},
        "tensors": {"x": tensor_json(x), "out": tensor_json(results["out"]), "r": tensor_json(r)},
        "grads": {k[len("grad."):]: tensor_json(v) for k, v in results.items() if k.startswith("grad.")},
    }
    if mask is not None:
        case["tensors"]["mask"] = tensor_json(mask)
    return case


def padding_mask(lengths, length):
    return (torch.arange(length)[None, :] < torch.tensor(lengths)[:, None]).float()


# ----------------------------------------------------------------------------- cases
def layers():
    torch.manual_seed(1)
    d, heads, ff, batch, length = 16, 2, 32, 3, 8
    cases = {}
    cases["linear"] = layer_case(nn.Linear(7, 5), torch.randn(batch, length, 7), in_features=7, out_features=5)

    norm = nn.LayerNorm(d, eps=1e-5)
    randomise_norms(norm)
    cases["layer_norm"] = layer_case(norm, torch.randn(batch, length, d) * 3 + 1, features=d, eps=1e-5)

    mask = padding_mask([8, 5, 2], length)
    attention = Attention(d, heads)
    cases["attention"] = layer_case(attention, torch.randn(batch, length, d), dimension=d, heads=heads)
    cases["attention_masked"] = layer_case(attention, torch.randn(batch, length, d), mask, dimension=d, heads=heads)

    cases["feed_forward"] = layer_case(FeedForward(d, ff), torch.randn(batch, length, d), dimension=d, hidden=ff)

    encoder = EncoderLayer(d, heads, ff)
    randomise_norms(encoder)
    config = dict(dimension=d, heads=heads, feed_forward=ff)
    cases["encoder_layer"] = layer_case(encoder, torch.randn(batch, length, d), **config)
    cases["encoder_layer_masked"] = layer_case(encoder, torch.randn(batch, length, d), mask, **config)
    return {"cases": cases}


def classifier_run(model, ids, labels, mask):
    model.zero_grad(set_to_none=True)
    logits = model(ids, mask)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return {"logits": logits.detach(), "loss": loss.detach(), **{f"grad.{n}": p.grad for n, p in model.named_parameters()}}


def classifier_case(model, ids, labels, mask=None):
    results = classifier_run(model, ids, labels, mask)
    reference = classifier_run(copy.deepcopy(model).double(), ids, labels, None if mask is None else mask.double())
    case = {
        "float32_error": float32_error(results, reference),
        "ints": {"ids": ints_json(ids), "labels": ints_json(labels)},
        "tensors": {"logits": tensor_json(results["logits"]), "loss": tensor_json(results["loss"])},
        "grads": {k[len("grad."):]: tensor_json(v) for k, v in results.items() if k.startswith("grad.")},
    }
    if mask is not None:
        case["tensors"]["mask"] = tensor_json(mask)
    return case


def classifier():
    torch.manual_seed(0)
    anchor_count = sum(p.numel() for p in Classifier(ANCHOR).parameters())
    assert anchor_count == 3_431_938, anchor_count  # the figure torch_ref.py reports for its model

    torch.manual_seed(2)
    c = SMALL
    model = Classifier(c)
    randomise_norms(model)
    batch = 3
    ids = torch.randint(0, c["vocab"], (batch, c["seq_len"]))
    labels = torch.randint(0, c["n_classes"], (batch,))
    # Shorter than the position table (6 of 8), with padding at the end of two examples.
    short = 6
    mask = padding_mask([6, 4, 1], short)
    short_ids = torch.randint(0, c["vocab"], (batch, short)) * mask.long()
    return {
        "config": c,
        "anchor": dict(ANCHOR, parameters=anchor_count),
        "params": {n: tensor_json(p) for n, p in model.named_parameters()},
        "cases": {
            "full_length": classifier_case(model, ids, labels),
            "padded": classifier_case(model, short_ids, labels, mask),
        },
    }


class Mlp(nn.Sequential):
    """The small model the optimisers train: Linear(6, 8) → tanh → Linear(8, 3), state names 0.* and 2.*."""

    def __init__(self):
        super().__init__(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))


def warmup_factor(warmup, total, cosine, min_factor=0.0):
    """Hugging Face's get_{linear,cosine}_schedule_with_warmup (cosine with a floor as in
    get_cosine_with_min_lr_schedule_with_warmup), as a LambdaLR multiplier of the 0-based step."""

    def factor(step):
        if step < warmup:
            return step / max(1, warmup)
        progress = (step - warmup) / max(1, total - warmup)
        if not cosine:
            return max(0.0, (total - step) / max(1, total - warmup))
        return min_factor + (1 - min_factor) * max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

    return factor


OPTIMISERS = {
    "sgd": dict(kind="sgd", lr=0.1),
    "sgd_momentum_dampening_decay": dict(kind="sgd", lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.05),
    "sgd_nesterov_decay": dict(kind="sgd", lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05),
    "adam_decay": dict(kind="adam", lr=0.05, weight_decay=0.1),
    "adamw": dict(kind="adamw", lr=0.05),
    # per-group settings: the first layer learns 3× faster without weight decay
    "adamw_groups": dict(kind="adamw", lr=0.05, betas=[0.8, 0.99], eps=1e-6, weight_decay=0.1,
                         first_layer=dict(lr=0.15, weight_decay=0.0)),
    # the whole training-loop recipe: warm-up + cosine schedule and gradient clipping every step
    "adamw_schedule_clip": dict(kind="adamw", lr=0.05, weight_decay=0.01,
                                schedule=dict(warmup=2, total=5, cosine=True, min_factor=0.1), clip=0.5),
}


SETTINGS = ("lr", "momentum", "dampening", "nesterov", "weight_decay", "betas", "eps")


def make_optimiser(model, o):
    first = [p for n, p in model.named_parameters() if n.startswith("0.")]
    rest = [p for n, p in model.named_parameters() if not n.startswith("0.")]
    groups = [dict(params=first, **o["first_layer"]), dict(params=rest)] if "first_layer" in o else model.parameters()
    kind = dict(sgd=torch.optim.SGD, adam=torch.optim.Adam, adamw=torch.optim.AdamW)[o["kind"]]
    return kind(groups, **{k: v for k, v in o.items() if k in SETTINGS})


def group_settings(optimiser, model):
    """Every hyper-parameter of every group as PyTorch resolved it (its defaults included), with parameter names."""
    names = {id(p): n for n, p in model.named_parameters()}
    return [{**{k: g[k] for k in SETTINGS if k in g}, "params": [names[id(p)] for p in g["params"]]}
            for g in optimiser.param_groups]


def optimiser_trajectory(o, x, y, dtype, steps=5):
    """Trains a freshly seeded Mlp for `steps` steps; returns its initial parameters, the resolved settings, and
    the loss before and the parameters after every step."""
    torch.manual_seed(4)
    model = Mlp().to(dtype)
    initial = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimiser = make_optimiser(model, o)
    settings = group_settings(optimiser, model)
    s = o.get("schedule")
    schedule = None if s is None else torch.optim.lr_scheduler.LambdaLR(
        optimiser, warmup_factor(s["warmup"], s["total"], s["cosine"], s["min_factor"]))
    losses, params = [], []
    for _ in range(steps):
        loss = F.cross_entropy(model(x.to(dtype)), y)
        loss.backward()
        if "clip" in o:
            torch.nn.utils.clip_grad_norm_(model.parameters(), o["clip"])
        optimiser.step()
        optimiser.zero_grad(set_to_none=True)
        if schedule is not None:
            schedule.step()
        losses.append(loss.item())
        params.append({n: p.detach().clone() for n, p in model.named_parameters()})
    return initial, settings, losses, params


def optimiser_run(o, x, y):
    initial, groups, losses, params = optimiser_trajectory(o, x, y, torch.float32)
    *_, reference = optimiser_trajectory(o, x, y, torch.float64)
    return {
        "kind": o["kind"],
        "groups": groups,
        "schedule": o.get("schedule"),
        "clip": o.get("clip"),
        "float32_error": max(float32_error(p, r) for p, r in zip(params, reference)),
        "params": {n: tensor_json(p) for n, p in initial.items()},
        "steps": [{"loss": l, "params": {n: tensor_json(v) for n, v in p.items()}} for l, p in zip(losses, params)],
    }


def optimiser_defaults():
    """PyTorch's default hyper-parameters (SGD's learning rate has none)."""
    p = [torch.zeros(1, requires_grad=True)]
    made = dict(sgd=torch.optim.SGD(p, lr=0.1), adam=torch.optim.Adam(p), adamw=torch.optim.AdamW(p))
    return {k: {s: v for s, v in o.defaults.items() if s in SETTINGS and not (k == "sgd" and s == "lr")} for k, o in made.items()}


def schedule_factors(warmup, total, cosine, min_factor):
    """The multipliers LambdaLR applies at steps 0..total (read back from the optimiser, not the lambda)."""
    optimiser = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, warmup_factor(warmup, total, cosine, min_factor))
    factors = []
    for _ in range(total + 1):
        factors.append(optimiser.param_groups[0]["lr"])
        optimiser.step()
        schedule.step()
    return dict(warmup=warmup, total=total, cosine=cosine, min_factor=min_factor, factors=factors)


def clipping_case(max_norm, scale):
    grads = [torch.randn(4, 3) * scale, torch.randn(5) * scale, torch.randn(2, 2, 2) * scale]
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return {"max_norm": max_norm, "norm": norm.item(), "grads": [tensor_json(g) for g in grads],
            "clipped": [tensor_json(p.grad) for p in params]}


def optim():
    torch.manual_seed(3)
    x = torch.randn(10, 6)
    y = torch.randint(0, 3, (10,))
    return {
        "x": tensor_json(x),
        "y": ints_json(y),
        "defaults": optimiser_defaults(),
        "runs": {name: optimiser_run(o, x, y) for name, o in OPTIMISERS.items()},
        "schedules": [schedule_factors(3, 10, False, 0.0), schedule_factors(3, 10, True, 0.0),
                      schedule_factors(0, 7, True, 0.1), schedule_factors(4, 4, False, 0.0)],
        "clipping": [clipping_case(1.0, 1.0), clipping_case(100.0, 1.0)],
    }


if __name__ == "__main__":
    torch.set_num_threads(1)
    write("nn-layers.json", layers())
    write("nn-classifier.json", classifier())
    write("nn-optim.json", optim())
