#!/usr/bin/env bash
# Runs every test assembly in Modular.sln on a fresh machine with the .NET 10 SDK.
# Installs what the tests need first (Debian's chromium for the real-browser rendering tests),
# then prints one closing line: "N passed, N failed" summed over the test assemblies.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian chromium for the browser tests..." >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium) >&2 \
    || echo "warning: could not install chromium; browser tests will fail" >&2
fi

log=$(mktemp)
dotnet test Modular.sln -c Release --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status (build error or crashed test host)" >&2
fi
exit "$status"
