#!/usr/bin/env python3
"""Prints ours/PyTorch (and ours/TorchSharp, ours-on-libtorch/TorchSharp) ratios per case and thread count from the
benchmarks' JSON lines.

usage: ratio_table.py --ours ours1.jsonl [...] --torch torch1.jsonl [...] [--torchsharp ts1.jsonl [...]]
                      [--ours-torch ours_torch1.jsonl [...]]

Per run file the last line of each (case, shape, threads) counts (both programs re-measure disturbed cases);
over runs the median of the per-run medians is shown, with undisturbed runs preferred. The files of each side
are given in round order, and a ratio is the median over rounds of that round's ratio (rounds where both sides
are undisturbed preferred): compare.sh measures one case on every side before the next, so a round's two runs
of a case saw the same machine, where the medians of the two sides may come from different hours. A case
measured on only one side is listed with a dash for the other."""
import argparse
import json
import statistics
from collections import defaultdict

METRIC = {"gemm": "gflops", "lora_train_step": "steps_per_s", "full_train_step": "steps_per_s",
          "adapter_train_step": "steps_per_s", "lora_forward_only": "batches_per_s", "moe_fwd_bwd": "fwd_bwd_per_s"}


def load(files):
    """{key: [(median, disturbed, round), ...]} over runs, key = (case, M, K, N, threads), round = the file's place."""
    runs = defaultdict(list)
    for round_, name in enumerate(files):
        last = {}
        with open(name) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                d = json.loads(line)
                if d.get("case") in METRIC:
                    last[(d["case"], d.get("M"), d.get("K"), d.get("N"), d["threads"])] = d
        for key, d in last.items():
            runs[key].append((d[METRIC[d["case"]]]["median"], bool(d.get("disturbed")), round_))
    return runs


def summary(values):
    """(median over runs, spread text, all disturbed?) preferring undisturbed runs."""
    clean = [v for v, disturbed, _ in values if not disturbed]
    chosen = clean or [v for v, _, _ in values]
    spread = f"{min(chosen):.1f}..{max(chosen):.1f}" if len(chosen) > 1 else ""
    return statistics.median(chosen), spread, not clean


def paired_ratio(a, b):
    """(median over rounds of a/b, spread text) from the rounds both sides measured, undisturbed ones preferred."""
    first = {r: (v, disturbed) for v, disturbed, r in a}
    pairs = [(first[r][0] / v, first[r][1] or disturbed) for v, disturbed, r in b if r in first and v]
    if not pairs:
        return None, ""
    clean = [q for q, disturbed in pairs if not disturbed]
    chosen = clean or [q for q, _ in pairs]
    return statistics.median(chosen), f"{min(chosen):.2f}..{max(chosen):.2f}" if len(chosen) > 1 else ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", nargs="+", required=True)
    parser.add_argument("--torch", nargs="+", required=True)
    parser.add_argument("--torchsharp", nargs="+", help="JSON lines of the plain-TorchSharp anchor (same cases and keys)")
    parser.add_argument("--ours-torch", nargs="+", help="JSON lines of Modular on its libtorch backend (--device torch-cpu)")
    parser.add_argument("--baseline", nargs="+", help="JSON lines of an older build of ours on the CPU engine")
    args = parser.parse_args()
    sides = [("ours", load(args.ours)), ("pytorch", load(args.torch))]
    if args.torchsharp:
        sides.append(("torchsharp", load(args.torchsharp)))
    if args.ours_torch:
        sides.append(("ours-torch", load(args.ours_torch)))
    if args.baseline:
        sides.append(("baseline", load(args.baseline)))
    index = {side: i for i, (side, _) in enumerate(sides)}
    # (numerator, denominator): the CPU engine against both anchors; Modular on libtorch against libtorch's own autograd
    pairs = [("ours", "pytorch")] + [(a, b) for a, b in [("ours", "torchsharp"), ("ours-torch", "torchsharp"), ("ours", "baseline")] if a in index and b in index]
    keys = sorted(set().union(*(runs for _, runs in sides)), key=lambda k: (k[0] != "gemm", k[0], k[4], k[1] or 0, k[2] or 0, k[3] or 0))
    header = f"{'case':26s} {'threads':>7s} {'metric':>14s}" + "".join(f" {side:>10s}" for side, _ in sides)
    header += "".join(f" {a.replace('ours-torch', 'o-t') + '/' + b[:3]:>11s}" for a, b in pairs)
    print(header + "  notes")
    for key in keys:
        case, m, k, n, threads = key
        name = f"gemm {m}x{k}x{n}" if case == "gemm" else case
        cells, notes = [], []
        for side, runs in sides:
            if key in runs:
                value, spread, disturbed = summary(runs[key])
                cells.append(value)
                notes.append(f"{side} {len(runs[key])} run(s){' ' + spread if spread else ''}{' DISTURBED' if disturbed else ''}")
            else:
                cells.append(None)
                notes.append(f"{side} missing")
        text = "".join(f" {v:10.2f}" if v is not None else f" {'-':>10s}" for v in cells)
        ratios = ""
        for a, b in pairs:
            runs_a, runs_b = sides[index[a]][1], sides[index[b]][1]
            ratio, spread = paired_ratio(runs_a[key], runs_b[key]) if key in runs_a and key in runs_b else (None, "")
            ratios += f" {ratio:11.2f}" if ratio is not None else f" {'-':>11s}"
            if spread:
                notes.append(f"{a}/{b} by round {spread}")
        print(f"{name:26s} {threads:7d} {METRIC[case]:>14s}{text}{ratios}  {'; '.join(notes)}")

if __name__ == "__main__":
    main()
