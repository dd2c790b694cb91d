#!/usr/bin/env bash
# Peak resident memory per model case, ours and the PyTorch anchor, each case in its own process at 2 threads:
#   bench/memory.sh [cases, default lora,full,adapter,moe]
# Uses /usr/bin/time's "Maximum resident set size" for both, so the two figures are measured the same way.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
anchor_dir=${TORCH_ANCHOR_DIR:-$repo/../shared/bench}
cases=${1:-lora,full,adapter,moe}
dotnet build "$repo/bench/Modular.Benchmarks/Modular.Benchmarks.csproj" -c Release -v quiet -nologo >&2
ours="$repo/bench/Modular.Benchmarks/bin/Release/net10.0/Modular.Benchmarks.dll"
peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {printf "%.0f", $2 / 1024}'; }
printf '%-10s %12s %14s %7s\n' case "ours (MB)" "pytorch (MB)" ratio
for c in ${cases//,/ }; do
  o=$(peak dotnet "$ours" --cases "$c" --threads 2 --quick)
  t=$(peak "$anchor_dir/run-torch-anchor.sh" --cases "$c" --threads 2 --quick)
  printf '%-10s %12s %14s %7.2f\n' "$c" "$o" "$t" "$(echo "$o / $t" | bc -l)"
done
