#!/usr/bin/env bash
# Runs the PyTorch anchor and Modular's benchmark in turns (anchor first in odd rounds, ours first in even ones, so
# that drifting machine load hits both alike), then prints the ratio ours/PyTorch per case and thread count.
#
#   bench/compare.sh                                   # gemm, 1 and 2 threads, 2 rounds
#   ROUNDS=3 bench/compare.sh --cases gemm --quick     # any options of the two benchmarks are passed to both
#
# The anchor (run-torch-anchor.sh, torch_ref.py) lives outside the repository: TORCH_ANCHOR_DIR, default
# ../shared/bench next to the repository. Raw JSON lines are kept in RESULTS_DIR (default: a new temp directory).
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
dotnet build "$repo/bench/Modular.Benchmarks/Modular.Benchmarks.csproj" -c Release -v quiet -nologo >&2
ours_dll="$repo/bench/Modular.Benchmarks/bin/Release/net10.0/Modular.Benchmarks.dll"
mkdir -p "$results"

run_torch() { echo "round $1: PyTorch anchor..." >&2; "$anchor_dir/run-torch-anchor.sh" "${@:2}" > "$results/torch-$1.jsonl"; }
run_ours() { echo "round $1: Modular..." >&2; dotnet "$ours_dll" "${@:2}" > "$results/ours-$1.jsonl"; }
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then run_torch "$round" "$@"; run_ours "$round" "$@"
  else run_ours "$round" "$@"; run_torch "$round" "$@"; fi
done

echo "results: $results ($(uptime | sed 's/.*load/load/'))"
"$python" "$repo/bench/ratio_table.py" --ours "$results"/ours-*.jsonl --torch "$results"/torch-*.jsonl
