#!/usr/bin/env bash
# Runs Modular's benchmark on the CPU engine and on its libtorch backend, the PyTorch anchor and the plain-TorchSharp
# anchor in turns, one case at a time: every contestant measures a case before any measures the next, and the order
# rotates by case and round, so that drifting machine load hits all alike and the measurements that are compared were
# taken minutes apart at most. Then prints each one's median and the ratios ours/PyTorch, ours/TorchSharp and
# ours-on-libtorch/TorchSharp per case and thread count, each the median over rounds of that round's ratio.
#
#   bench/compare.sh                                   # gemm, 1 and 2 threads, 2 rounds
#   ROUNDS=3 bench/compare.sh --cases lora,full --quick   # any options of the benchmarks are passed to all three
#   TORCHSHARP=0 bench/compare.sh                      # without the TorchSharp anchor (and Modular on libtorch)
#   TIERED_COMPILATION=1 bench/compare.sh ...          # the .NET runtime's tiered compilation left on (see below)
#   BASELINE_DLL=/tmp/old/bench/Modular.Benchmarks/bin/Release/net10.0/Modular.Benchmarks.dll bench/compare.sh ...
#                                                      # also an older build of ours (CPU engine), for ours/baseline
#
# The anchors (run-torch-anchor.sh with torch_ref.py, and torchsharp/run.sh) live outside the repository:
# TORCH_ANCHOR_DIR, default ../shared/bench next to the repository. Raw JSON lines are kept in RESULTS_DIR (default:
# a new temp directory), one file per contestant and round.
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
# The options with --cases taken out: each run gets one case of the list.
cases=gemm,lora,full,adapter,moe; options=()
while [ $# -gt 0 ]; do
  if [ "$1" = --cases ] && [ $# -ge 2 ]; then cases=$2; shift 2; else options+=("$1"); shift; fi
done
if [[ " ${contestants[*]} " == *" torchsharp "* ]]; then
  # torchsharp/run.sh builds the anchor and runs it with its allocator settings; build it once (it runs no case),
  # then run its program with those settings directly, as run.sh does, so that no build runs between measurements.
  export TSBENCH_DIR=${TSBENCH_DIR:-${TMPDIR:-/tmp}/tsbench-anchor}
  "$anchor_dir/torchsharp/run.sh" --cases none --threads 1 >/dev/null
fi

# Every .NET contestant runs without tiered compilation (TIERED_COMPILATION=1 keeps the runtime's default): each method
# is compiled once, fully optimised, on its first call, in the warm-up. With tiering, methods called once a step stay
# unoptimised for the anchors' whole protocol (2 warm-up and 5 timed calls; a method is recompiled after 30 calls) and
# the recompilations that do happen run on a background thread that takes one of this machine's 2 cores from the
# measured threads. Measured 2026-12-06, MoE at 2 threads: ours on libtorch 336–364 ms a call with tiering, 264 without;
# the TorchSharp anchor 272 and 264; the CPU engine 259–275 and 242; LoRA on the CPU engine unchanged (930 ms a step).
dotnet_env=(env DOTNET_TieredCompilation="$([ "${TIERED_COMPILATION:-0}" = 1 ] && echo 1 || echo 0)")
# libtorch's contestants run with the allocator settings torchsharp/run.sh gives the anchor: both run libtorch's CPU kernels.
libtorch_env=("${dotnet_env[@]}" MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456)
run_ours() { "${dotnet_env[@]}" dotnet "$ours_dll" "$@"; }
run_torch() { "$anchor_dir/run-torch-anchor.sh" "$@"; }
run_ours_torch() { "${libtorch_env[@]}" dotnet "$ours_dll" --device torch-cpu "$@"; }
run_torchsharp() { "${libtorch_env[@]}" dotnet "$TSBENCH_DIR/bin/Release/net10.0/TsBench.dll" "$@"; }
if [ -n "${BASELINE_DLL:-}" ]; then contestants+=(baseline); fi
run_baseline() { "${dotnet_env[@]}" dotnet "$BASELINE_DLL" "$@"; }
n=${#contestants[@]}
for round in $(seq 1 "$rounds"); do
  unit=0
  for case in ${cases//,/ }; do
    # Round r, case u starts with contestant r-1+u (mod n): each one goes first, in the middle and last equally often.
    for i in $(seq 0 $((n - 1))); do
      who=${contestants[$(((round - 1 + unit + i) % n))]}
      echo "round $round, $case: $who..." >&2
      "run_$who" --cases "$case" "${options[@]}" >> "$results/$who-$round.jsonl"
    done
    unit=$((unit + 1))
  done
done

echo "results: $results ($(uptime | sed 's/.*load/load/'))"
files() { for round in $(seq 1 "$rounds"); do echo "$results/$1-$round.jsonl"; done; } # in round order: ratios pair runs by round
args=(--ours $(files ours) --torch $(files torch))
[ "${TORCHSHARP:-1}" = 0 ] || args+=(--torchsharp $(files torchsharp) --ours-torch $(files ours_torch))
[ -z "${BASELINE_DLL:-}" ] || args+=(--baseline $(files baseline))
"$python" "$repo/bench/ratio_table.py" "${args[@]}"
