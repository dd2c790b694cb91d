#!/usr/bin/python3
"""Writes the PyTorch golden fixture for the auxiliary losses of Modular's top-k router.

Run with Debian's python3 + python3-torch (1.13), from anywhere:
  /usr/bin/python3 tests/golden/generate_routing.py

It writes fixtures/routing-losses.json: for a linear gate without bias (logits = x · Wᵀ, W of shape
[experts, d]) and fixed tokens x [T, d], the router probabilities, the top-k choices, and

  the Switch load-balancing loss   N · Σᵢ fᵢ · Pᵢ          (unweighted; the router multiplies it by α)
  the router z-loss               mean_t (logsumexp_i logits[t, i])²   (unweighted; the router multiplies it by β)

with their gradients with respect to W. Definitions, as in ../../shared/ARCHITECTURE.md §4 and Fedus et al. (2022):

  Pᵢ = mean over the T tokens of softmax(logits)[t, i]                  (differentiable)
  fᵢ = (number of the T·k top-k assignments that chose expert i) / (T·k)  (a constant: counted before capacity,
                                                                         so dropped assignments still count)

For k = 1 this is Switch's "fraction of tokens dispatched to expert i"; for k > 1 each token contributes k
assignments, so f still sums to 1 and a perfectly balanced router still gives a loss of 1. Gradients flow through
Pᵢ only. Each case also stores float32_error: the largest deviation of these float32 results from the same
computation in float64, which sets the absolute floor of the C# comparison (tests/Modular.Core.Tests/Routing/).

Tensors are {"shape": [...], "data": [...]} (row-major, float32 printed with 9 significant digits, so they
round-trip exactly).
"""
import json
import math
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parent / "fixtures"


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]}


def write(name, content):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(content, separators=(",", ":")) + "\n")
    tmp.replace(path)
    print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


def losses(weight, x, k):
    """Balance loss, z-loss and their gradients w.r.t. the gate weight, in the dtype of the inputs."""
    w = weight.clone().requires_grad_(True)
    logits = x @ w.t()
    probabilities = torch.softmax(logits, dim=-1)
    chosen = torch.topk(probabilities, k, dim=-1).indices
    experts = weight.shape[0]
    fraction = torch.bincount(chosen.reshape(-1), minlength=experts).to(x.dtype) / (x.shape[0] * k)
    balance = experts * (fraction * probabilities.mean(0)).sum()
    z_loss = (torch.logsumexp(logits, dim=-1) ** 2).mean()
    (grad_balance,) = torch.autograd.grad(balance, w, retain_graph=True)
    (grad_z,) = torch.autograd.grad(z_loss, w)
    return dict(logits=logits, probabilities=probabilities, chosen=chosen, fraction=fraction,
                mean_probability=probabilities.mean(0), balance=balance, z_loss=z_loss,
                grad_balance=grad_balance, grad_z=grad_z)


def case(seed, tokens, d, experts, k, capacity_factor, skew):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(tokens, d, generator=generator)
    # a skewed gate (one expert's row scaled up) so that the load is uneven and fᵢ differs between experts
    weight = torch.randn(experts, d, generator=generator)
    weight[0] *= skew
    result = losses(weight, x, k)
    reference = losses(weight.double(), x.double(), k)
    assert torch.equal(result["chosen"], reference["chosen"]), "float32 and float64 choose different experts"
    error = max(float((result[n].double() - reference[n]).abs().max())
                for n in ("probabilities", "balance", "z_loss", "grad_balance", "grad_z"))
    return {
        "tokens": tokens, "dimension": d, "experts": experts, "k": k, "capacity_factor": capacity_factor,
        "gate_weight": tensor_json(weight), "x": tensor_json(x),
        "logits": tensor_json(result["logits"]), "probabilities": tensor_json(result["probabilities"]),
        "chosen": result["chosen"].reshape(-1).tolist(),
        "fraction": tensor_json(result["fraction"]), "mean_probability": tensor_json(result["mean_probability"]),
        "balance_loss": float(result["balance"]), "z_loss": float(result["z_loss"]),
        "grad_balance_weight": tensor_json(result["grad_balance"]), "grad_z_weight": tensor_json(result["grad_z"]),
        "float32_error": error,
    }


def main():
    torch.set_num_threads(1)
    cases = {
        # Switch: one expert per token
        "top1": case(seed=11, tokens=12, d=6, experts=4, k=1, capacity_factor=0.0, skew=1.5),
        # GShard/Mixtral: two experts per token, with a capacity that drops some assignments (fᵢ counts them anyway)
        "top2_capacity": case(seed=12, tokens=12, d=6, experts=4, k=2, capacity_factor=1.0, skew=2.0),
        # more experts than tokens per expert, larger logits (z-loss grows with their scale)
        "top2_wide": case(seed=13, tokens=10, d=5, experts=6, k=2, capacity_factor=0.0, skew=3.0),
    }
    write("routing-losses.json", {"torch": torch.__version__, "cases": cases})


if __name__ == "__main__":
    main()
