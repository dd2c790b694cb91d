#!/usr/bin/env bash
# Peak resident memory per model case: ours (CPU engine and libtorch backend), the PyTorch anchor and the plain-TorchSharp anchor, each case in its own
# process at 2 threads:
#   bench/memory.sh [cases, default lora,full,adapter,moe]        (TORCHSHARP=0 leaves the TorchSharp anchor out)
# Uses /usr/bin/time's "Maximum resident set size" for all, so the figures are measured the same way. The TorchSharp
# anchor is built first and then timed as its program alone, so that the build's processes do not count.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
anchor_dir=${TORCH_ANCHOR_DIR:-$repo/../shared/bench}
cases=${1:-lora,full,adapter,moe}
dotnet build "$repo/bench/Modular.Benchmarks/Modular.Benchmarks.csproj" -c Release -v quiet -nologo >&2
ours="$repo/bench/Modular.Benchmarks/bin/Release/net10.0/Modular.Benchmarks.dll"
torchsharp=""
if [ "${TORCHSHARP:-1}" != 0 ] && [ -x "$anchor_dir/torchsharp/run.sh" ]; then
  export TSBENCH_DIR=${TSBENCH_DIR:-${TMPDIR:-/tmp}/tsbench-anchor}
  "$anchor_dir/torchsharp/run.sh" --cases none --threads 1 >/dev/null # builds (and patches) it; runs no case
  torchsharp="$TSBENCH_DIR/bin/Release/net10.0/TsBench.dll"
fi
peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {printf "%.0f", $2 / 1024}'; }
printf '%-10s %12s %17s %14s %17s %7s %7s\n' case "ours (MB)" "ours-torch (MB)" "pytorch (MB)" "torchsharp (MB)" "/pyt" "/ts"
for c in ${cases//,/ }; do
  o=$(peak dotnet "$ours" --cases "$c" --threads 2 --quick)
  # Modular on its libtorch backend, with the TorchSharp anchor's allocator settings
  ot=$(peak env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 dotnet "$ours" --cases "$c" --threads 2 --quick --device torch-cpu)
  t=$(peak "$anchor_dir/run-torch-anchor.sh" --cases "$c" --threads 2 --quick)
  if [ -n "$torchsharp" ]; then
    # The same allocator settings as torchsharp/run.sh gives it.
    s=$(peak env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 dotnet "$torchsharp" --cases "$c" --threads 2 --quick)
    printf '%-10s %12s %17s %14s %17s %7.2f %7.2f\n' "$c" "$o" "$ot" "$t" "$s" "$(echo "$o / $t" | bc -l)" "$(echo "$o / $s" | bc -l)"
  else
    printf '%-10s %12s %17s %14s %17s %7.2f %7s\n' "$c" "$o" "$ot" "$t" - "$(echo "$o / $t" | bc -l)" -
  fi
done
