#!/usr/bin/env bash
# Runs Modular's benchmark on the CPU engine and on its libtorch backend, the PyTorch anchor and the plain-TorchSharp
# anchor in turns (the order rotates by round, so that drifting machine load hits all alike), then prints each one's
# median and the ratios ours/PyTorch, ours/TorchSharp and ours-on-libtorch/TorchSharp per case and thread count.
#
#   bench/compare.sh                                   # gemm, 1 and 2 threads, 2 rounds
#   ROUNDS=3 bench/compare.sh --cases lora,full --quick   # any options of the benchmarks are passed to all three
#   TORCHSHARP=0 bench/compare.sh                      # without the TorchSharp anchor (and Modular on libtorch)
#   BASELINE_DLL=/tmp/old/bench/Modular.Benchmarks/bin/Release/net10.0/Modular.Benchmarks.dll bench/compare.sh ...
#                                                      # also an older build of ours (CPU engine), for ours/baseline
#
# The anchors (run-torch-anchor.sh with torch_ref.py, and torchsharp/run.sh) live outside the repository:
# TORCH_ANCHOR_DIR, default ../shared/bench next to the repository. Raw JSON lines are kept in RESULTS_DIR (default:
# a new temp directory).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
anchor_dir=${TORCH_ANCHOR_DIR:-$repo/../shared/bench}
rounds=${ROUNDS:-2}
results=${RESULTS_DIR:-$(mktemp -d)}
python=/usr/bin/python3; [ -x "$python" ] || python=python3
[ $# -gt 0 ] || set -- --cases gemm --threads 1,2

if [ ! -x "$anchor_dir/run-torch-anchor.sh" ]; then
  echo "compare.sh: no PyTorch anchor at $anchor_dir/run-torch-anchor.sh; set TORCH_ANCHOR_DIR to the folder holding it." >&2
  exit 1
fi
contestants=(ours torch)
if [ "${TORCHSHARP:-1}" != 0 ]; then
  if [ ! -x "$anchor_dir/torchsharp/run.sh" ]; then
    echo "compare.sh: no TorchSharp anchor at $anchor_dir/torchsharp/run.sh; set TORCH_ANCHOR_DIR, or TORCHSHARP=0 to leave it out." >&2
    exit 1
  fi
  contestants+=(ours_torch torchsharp)
fi
dotnet build "$repo/bench/Modular.Benchmarks/Modular.Benchmarks.csproj" -c Release -v quiet -nologo >&2
ours_dll="$repo/bench/Modular.Benchmarks/bin/Release/net10.0/Modular.Benchmarks.dll"
mkdir -p "$results"

run_ours() { echo "round $1: Modular..." >&2; dotnet "$ours_dll" "${@:2}" > "$results/ours-$1.jsonl"; }
run_torch() { echo "round $1: PyTorch anchor..." >&2; "$anchor_dir/run-torch-anchor.sh" "${@:2}" > "$results/torch-$1.jsonl"; }
# Modular on libtorch with the allocator settings torchsharp/run.sh gives the anchor: both run libtorch's CPU kernels.
run_ours_torch() { echo "round $1: Modular on libtorch..." >&2; MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 dotnet "$ours_dll" --device torch-cpu "${@:2}" > "$results/ours_torch-$1.jsonl"; }
run_torchsharp() { echo "round $1: TorchSharp anchor..." >&2; "$anchor_dir/torchsharp/run.sh" "${@:2}" > "$results/torchsharp-$1.jsonl"; }
if [ -n "${BASELINE_DLL:-}" ]; then contestants+=(baseline); fi
run_baseline() { echo "round $1: Modular baseline build..." >&2; dotnet "$BASELINE_DLL" "${@:2}" > "$results/baseline-$1.jsonl"; }
n=${#contestants[@]}
for round in $(seq 1 "$rounds"); do
  # Round r starts with contestant r-1 (mod n): each one goes first, in the middle and last equally often.
  for i in $(seq 0 $((n - 1))); do
    "run_${contestants[$(((round - 1 + i) % n))]}" "$round" "$@"
  done
done

echo "results: $results ($(uptime | sed 's/.*load/load/'))"
args=(--ours "$results"/ours-*.jsonl --torch "$results"/torch-*.jsonl)
[ "${TORCHSHARP:-1}" = 0 ] || args+=(--torchsharp "$results"/torchsharp-*.jsonl --ours-torch "$results"/ours_torch-*.jsonl)
[ -z "${BASELINE_DLL:-}" ] || args+=(--baseline "$results"/baseline-*.jsonl)
"$python" "$repo/bench/ratio_table.py" "${args[@]}"
