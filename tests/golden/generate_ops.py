#!/usr/bin/python3
"""Records PyTorch's outputs and input gradients for every tensor operation Modular tests against.

Run with the system Python that has PyTorch 1.13 (Debian's python3-torch) and numpy:

    /usr/bin/python3 tests/golden/generate_ops.py

For each case it draws the inputs from one seeded torch generator, runs the operation, draws a fixed random
projection R for every output and back-propagates (Σ output ⊙ R).sum(). The inputs, outputs, projections and
input gradients are written to tests/golden/fixtures/ops-<group>.json, one case per line, floats in their shortest
float32 form. tests/Modular.Core.Tests/Golden/OpGoldenTests.cs runs the same operation (by case name) in C# on
the same inputs and compares. A case added here needs its twin in that file, and the other way round.
"""

import json
import math
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
SEED = 20240917

generator = torch.Generator().manual_seed(SEED)


# ---------------------------------------------------------------------------------------------------- inputs


def normal(*shape):
    return torch.randn(shape, generator=generator)


def uniform(low, high, *shape):
    return low + (high - low) * torch.rand(shape, generator=generator)


def away_from_zero(margin, *shape):
    x = normal(*shape)
    return x.sign() * (x.abs() + margin)


def distinct(spacing, *shape):
    """Evenly spaced values in random order: maxima and top-k choices are unambiguous."""
    n = math.prod(shape)
    order = torch.randperm(n, generator=generator)
    return ((order - n // 2).float() * spacing).reshape(shape)


def integers(high, *shape):
    return torch.randint(high, shape, generator=generator)


# Activations are probed over their whole range: tails, the region near zero where cancellation bites, and kinks avoided.
SPREAD = torch.tensor([[-6.2, -3.1, -1.7, -0.9, -0.35], [-0.15, -0.02, -0.001, 0.0007, 0.015],
                       [0.12, 0.3, 0.65, 2.4, 7.5]])


# ---------------------------------------------------------------------------------------------------- recording


def encode(t):
    if not t.is_floating_point():
        return {"shape": list(t.shape), "data": t.flatten().tolist()}
    values = t.detach().numpy().ravel()
    if not np.all(np.isfinite(values)):
        raise ValueError("fixtures hold finite numbers only (JSON has no NaN or infinity)")
    # repr of a numpy float32 is its shortest round-trip decimal form
    return {"shape": list(t.shape), "data": [float(repr(np.float32(v))) for v in values]}


class Group:
    """The cases of one fixture file."""

    def __init__(self, name):
        self.name = name
        self.cases = []

    def case(self, name, op, inputs, constants=None, indices=None):
        """Records op(*inputs, *constants, *indices) (in that order); gradients are taken for `inputs` only."""
        constants = constants or {}
        indices = indices or {}
        leaves = {k: v.detach().clone().requires_grad_(True) for k, v in inputs.items()}
        result = op(*leaves.values(), *constants.values(), *indices.values())
        outputs = list(result) if isinstance(result, (tuple, list)) else [result]
        record = {"name": name, "inputs": {k: encode(v) for k, v in inputs.items()}}
        if constants:
            record["constants"] = {k: encode(v) for k, v in constants.items()}
        if indices:
            record["indices"] = {k: encode(v) for k, v in indices.items()}
        record["outputs"] = [encode(o) for o in outputs]
        if any(o.requires_grad for o in outputs):
            projections = [normal(*o.shape) for o in outputs]
            sum((o * r).sum() for o, r in zip(outputs, projections)).backward()
            record["projections"] = [encode(r) for r in projections]
            record["gradients"] = {k: encode(v.grad if v.grad is not None else torch.zeros_like(v)) for k, v in leaves.items()}
        self.cases.append(record)

    def write(self):
        FIXTURES.mkdir(parents=True, exist_ok=True)
        lines = ",\n".join(json.dumps(c, separators=(",", ":")) for c in self.cases)
        header = json.dumps({"generator": "tests/golden/generate_ops.py", "torch": torch.__version__, "seed": SEED}, separators=(",", ":"))
        text = header[:-1] + ',"cases":[\n' + lines + "\n]}\n"
        (FIXTURES / f"ops-{self.name}.json").write_text(text)
        print(f"ops-{self.name}.json: {len(self.cases)} cases, {len(text) / 1024:.0f} KiB")


# ---------------------------------------------------------------------------------------------------- cases

BROADCASTS = {  # name: (left shape, right shape)
    "same": ((2, 3), (2, 3)),
    "right_row": ((2, 3), (3,)),
    "left_row": ((3,), (2, 3)),
    "both": ((2, 1, 4), (3, 1)),
    "scalar": ((2, 3), ()),
}

BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}

UNARY = {
    "relu": torch.relu, "gelu": F.gelu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": F.softplus,
    "abs": torch.abs, "clamp": lambda x: torch.clamp(x, -0.5, 0.5),
}


def elementwise():
    g = Group("elementwise")
    for op_name, op in BINARY.items():
        for pattern, (left, right) in BROADCASTS.items():
            g.case(f"{op_name}/{pattern}", lambda a, b, op=op: op(a, b), {"a": normal(*left), "b": away_from_zero(0.5, *right)})
        g.case(f"{op_name}/strided", lambda a, b, op=op: op(a.t(), b[:, 1:5]), {"a": normal(4, 3), "b": away_from_zero(0.5, 3, 6)})
    for op_name, op in {"maximum": torch.maximum, "minimum": torch.minimum}.items():
        g.case(f"{op_name}/broadcast", lambda a, b, op=op: op(a, b), {"a": distinct(0.25, 2, 3), "b": distinct(0.25, 3) + 0.125})
        g.case(f"{op_name}/ties", lambda a, b, op=op: op(a, b), {"a": torch.tensor([1.0, 2.0, 3.0, -0.5]), "b": torch.tensor([1.0, 5.0, 0.0, -0.5])})
    g.case("add_scalar", lambda x: x + 1.5, {"x": normal(2, 3)})
    g.case("mul_scalar", lambda x: x * -2.0, {"x": normal(2, 3)})
    g.case("rsub_scalar", lambda x: 3.0 - x, {"x": normal(2, 3)})
    g.case("div_scalar", lambda x: x / 4.0, {"x": normal(2, 3)})
    g.case("neg", lambda x: -x, {"x": normal(3, 4)})
    g.case("exp", torch.exp, {"x": normal(3, 4)})
    g.case("log", torch.log, {"x": uniform(0.3, 4.0, 3, 4)})
    g.case("sqrt", torch.sqrt, {"x": uniform(0.3, 4.0, 3, 4)})
    for exponent in (2.0, 3.0, -1.0, -2.0, 0.5, 1.5, -0.5):
        g.case(f"pow/{exponent:g}", lambda x, e=exponent: torch.pow(x, e), {"x": uniform(0.5, 2.5, 3, 4)})
    for exponent in (2.0, 3.0, -1.0):
        g.case(f"pow/{exponent:g}/negative_bases", lambda x, e=exponent: torch.pow(x, e), {"x": away_from_zero(0.5, 3, 4)})
    for name, op in UNARY.items():
        g.case(name, op, {"x": SPREAD.clone()})
        g.case(f"{name}/transposed", lambda x, op=op: op(x.t()), {"x": normal(4, 3)})
    return g


AXIS_SETS = {  # name: (axes, keepdim)
    "0": ((0,), False),
    "1_keepdim": ((1,), True),
    "-1": ((-1,), False),
    "0_2": ((0, 2), False),
    "1_2_keepdim": ((1, 2), True),
    "all_axes": ((0, 1, 2), False),
}


def reductions():
    g = Group("reductions")
    for name, (axes, keepdim) in AXIS_SETS.items():
        g.case(f"sum/{name}", lambda x, a=axes, k=keepdim: x.sum(dim=a, keepdim=k), {"x": normal(2, 3, 4)})
        g.case(f"mean/{name}", lambda x, a=axes, k=keepdim: x.mean(dim=a, keepdim=k), {"x": normal(2, 3, 4)})
    g.case("sum/everything", lambda x: x.sum(), {"x": normal(2, 3)})
    g.case("mean/everything", lambda x: x.mean(), {"x": normal(2, 3)})
    g.case("sum/transposed", lambda x: x.transpose(0, 2).sum(1), {"x": normal(2, 3, 4)})
    for axis, keepdim in ((0, False), (1, True), (-1, False)):
        g.case(f"max/{axis}{'_keepdim' if keepdim else ''}", lambda x, a=axis, k=keepdim: x.max(dim=a, keepdim=k).values,
               {"x": distinct(0.25, 2, 3, 4)})
    g.case("max/everything", lambda x: x.max(), {"x": distinct(0.25, 3, 4)})
    return g


def softmax():
    g = Group("softmax")
    for axis in (0, 1, 2):
        g.case(f"softmax/{axis}", lambda x, a=axis: torch.softmax(x, a), {"x": normal(2, 3, 4)})
        g.case(f"log_softmax/{axis}", lambda x, a=axis: torch.log_softmax(x, a), {"x": normal(2, 3, 4)})
    g.case("softmax/transposed", lambda x: torch.softmax(x.t(), -1), {"x": normal(4, 5)})
    g.case("softmax/masked", lambda x, mask: torch.softmax(x.masked_fill(mask.bool(), float("-inf")), -1),
           {"x": normal(2, 4)}, constants={"mask": torch.tensor([[0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]])})
    g.case("log_softmax/large_logits", lambda x: torch.log_softmax(x, -1), {"x": normal(2, 5) * 40})
    return g


def layer_norm():
    g = Group("layer_norm")
    g.case("layer_norm/plain", lambda x: F.layer_norm(x, (8,)), {"x": normal(2, 3, 8)})
    g.case("layer_norm/weight", lambda x, w: F.layer_norm(x, (6,), w), {"x": normal(4, 6), "w": normal(6)})
    g.case("layer_norm/affine", lambda x, w, b: F.layer_norm(x, (8,), w, b), {"x": normal(2, 3, 8), "w": normal(8), "b": normal(8)})
    g.case("layer_norm/transposed_eps", lambda x, w, b: F.layer_norm(x.t(), (4,), w, b, eps=0.1),
           {"x": normal(4, 5), "w": normal(4), "b": normal(4)})
    return g


MATMUL_SHAPES = {
    "2d": ((3, 4), (4, 5)),
    "batched": ((2, 3, 4), (2, 4, 5)),
    "broadcast_batch": ((2, 1, 3, 4), (3, 4, 2)),
    "matrix_on_batch": ((2, 3, 4), (4, 5)),
    "vector_matrix": ((4,), (4, 5)),
    "matrix_vector": ((3, 4), (4,)),
    "vector_batch": ((4,), (2, 4, 3)),
    "dot": ((4,), (4,)),
    "long_inner": ((5, 300), (300, 7)),
}


def matmul():
    g = Group("matmul")
    for name, (left, right) in MATMUL_SHAPES.items():
        g.case(f"matmul/{name}", torch.matmul, {"input": normal(*left), "other": normal(*right)})
    g.case("matmul/transposed", lambda a, b: a.t() @ b.transpose(-1, -2), {"a": normal(4, 3), "b": normal(2, 5, 4)})
    g.case("linear/bias", F.linear, {"input": normal(3, 4), "weight": normal(5, 4), "bias": normal(5)})
    g.case("linear/no_bias_3d", F.linear, {"input": normal(2, 3, 4), "weight": normal(5, 4)})
    g.case("linear/transposed_weight", lambda x, w, b: F.linear(x.t(), w.t(), b), {"x": normal(4, 3), "w": normal(4, 5), "b": normal(5)})
    return g


def indexing():
    g = Group("indexing")
    g.case("embedding", lambda table, ids: F.embedding(ids, table), {"table": normal(5, 3)}, indices={"ids": torch.tensor([[1, 4, 1], [0, 4, 4]])})
    for axis in (0, 1):
        g.case(f"index_select/{axis}", lambda x, index, a=axis: torch.index_select(x, a, index), {"x": normal(3, 3)},
               indices={"index": torch.tensor([2, 0, 2, 1])})
    g.case("gather/0", lambda x, index: torch.gather(x, 0, index), {"x": normal(3, 4)}, indices={"index": torch.tensor([[2, 0, 1, 2], [0, 0, 1, 1]])})
    g.case("gather/1", lambda x, index: torch.gather(x, 1, index), {"x": normal(3, 4)}, indices={"index": torch.tensor([[3, 3], [0, 1], [2, 0]])})
    g.case("scatter_add/0", lambda x, source, index: torch.scatter_add(x, 0, index, source), {"x": normal(3, 4), "source": normal(2, 4)},
           indices={"index": torch.tensor([[2, 0, 1, 2], [2, 0, 0, 1]])})
    g.case("scatter_add/1", lambda x, source, index: torch.scatter_add(x, 1, index, source), {"x": normal(3, 4), "source": normal(3, 2)},
           indices={"index": torch.tensor([[3, 3], [0, 1], [2, 0]])})
    g.case("index_add/0", lambda x, source, index: torch.index_add(x, 0, index, source), {"x": normal(2, 4), "source": normal(3, 4)},
           indices={"index": torch.tensor([1, 0, 1])})
    g.case("index_add/1", lambda x, source, index: torch.index_add(x, 1, index, source), {"x": normal(2, 2), "source": normal(2, 3)},
           indices={"index": torch.tensor([1, 0, 1])})
    g.case("topk/largest", lambda x: torch.topk(x, 2, -1).values, {"x": distinct(0.25, 3, 5)})
    g.case("topk/smallest", lambda x: torch.topk(x, 2, -1, largest=False).values, {"x": distinct(0.25, 3, 5)})
    g.case("topk/axis0", lambda x: torch.topk(x, 2, 0).values, {"x": distinct(0.25, 3, 5)})
    g.case("where", lambda a, b, condition: torch.where(condition.bool(), a, b), {"a": normal(4, 3), "b": normal(3)},
           constants={"condition": torch.tensor([[1.0], [0.0], [0.0], [1.0]])})
    g.case("masked_fill", lambda x, mask: x.masked_fill(mask.bool(), -2.5), {"x": normal(2, 3)},
           constants={"mask": torch.tensor([[0.0, 1.0, 0.0], [0.0, 1.0, 1.0]])})
    g.case("one_hot", lambda classes: F.one_hot(classes, 4).float(), {}, indices={"classes": torch.tensor([[2, 0, 3], [1, 1, 0]])})
    return g


def losses():
    g = Group("losses")
    for smoothing in (0.0, 0.1):
        g.case(f"cross_entropy/rows/{smoothing:g}", lambda logits, targets, s=smoothing: F.cross_entropy(logits, targets, label_smoothing=s),
               {"logits": normal(4, 5)}, indices={"targets": torch.tensor([2, 0, 4, 1])})
    for smoothing in (0.0, 0.2):
        g.case(f"cross_entropy/sequence_ignore/{smoothing:g}",
               lambda logits, targets, s=smoothing: F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=-100, label_smoothing=s),
               {"logits": normal(2, 3, 4)}, indices={"targets": torch.tensor([[1, -100, 3], [0, 2, -100]])})
    g.case("cross_entropy/custom_ignore_transposed", lambda logits, targets: F.cross_entropy(logits.t(), targets, ignore_index=3),
           {"logits": normal(5, 4)}, indices={"targets": torch.tensor([0, 3, 2, 3])})
    g.case("mse", F.mse_loss, {"input": normal(3, 4), "target": normal(3, 4)})
    g.case("bce_with_logits", F.binary_cross_entropy_with_logits, {"input": normal(3, 4) * 3, "target": uniform(0.0, 1.0, 3, 4)})
    return g


def joining():
    g = Group("joining")
    for axis in (0, 1, -1):
        def shape(size, axis=axis):
            return (size, 3, 2) if axis == 0 else (2, size, 2) if axis == 1 else (2, 3, size)
        g.case(f"cat/{axis}", lambda a, b, c, ax=axis: torch.cat([a, b, c], ax), {"a": normal(*shape(1)), "b": normal(*shape(3)), "c": normal(*shape(2))})
    g.case("cat/transposed_and_repeated", lambda a, b: torch.cat([a.t(), b, b], 0), {"a": normal(3, 2), "b": normal(1, 3)})
    for axis in (0, 1, 2):
        g.case(f"stack/{axis}", lambda a, b, ax=axis: torch.stack([a, b], ax), {"a": normal(2, 3), "b": normal(2, 3)})
    g.case("split", lambda x: torch.split(x, [1, 3, 2], dim=1), {"x": normal(2, 6)})
    g.case("chunk", lambda x: torch.chunk(x, 3, dim=0), {"x": normal(7, 2)})
    return g


def views():
    g = Group("views")
    g.case("reshape", lambda x: x.reshape(3, -1), {"x": normal(2, 3, 2)})
    g.case("reshape/transposed", lambda x: x.t().reshape(-1), {"x": normal(3, 4)})
    g.case("transpose", lambda x: x.transpose(0, 2), {"x": normal(2, 3, 4)})
    g.case("permute", lambda x: x.permute(2, 0, 1), {"x": normal(2, 3, 4)})
    g.case("narrow", lambda x: x.narrow(1, 1, 2), {"x": normal(2, 4, 3)})
    g.case("narrow/from_end", lambda x: x[-2:], {"x": normal(4, 3)})
    g.case("expand", lambda x: x.expand(2, 3, 4), {"x": normal(3, 1)})
    g.case("contiguous", lambda x: x.permute(1, 0, 2).contiguous(), {"x": normal(2, 3, 2)})
    g.case("unsqueeze_squeeze", lambda x, y: (x.unsqueeze(1), x.unsqueeze(-1), y.squeeze(1)), {"x": normal(2, 3), "y": normal(2, 1, 3)})
    g.case("flatten", lambda x: x.flatten(1), {"x": normal(2, 3, 2)})
    g.case("clone", lambda x: x.clone(), {"x": normal(2, 3)})
    return g


if __name__ == "__main__":
    for group in (elementwise, reductions, softmax, layer_norm, matmul, indexing, losses, joining, views):
        group().write()
