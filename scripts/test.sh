#!/usr/bin/env bash
# Runs every test assembly in Modular.sln on a fresh machine with the .NET 10 SDK.
# Installs what the tests need first, skipping what is already there: Debian's chromium (real-browser rendering
# tests), Debian's Jupyter (nbconvert, nbclient, nbformat, jupyter-client, ipykernel) and the dotnet-interactive tool
# (the notebooks run in the real kernel). Then prints one closing line: "N passed, N failed" summed over the test
# assemblies.
set -uo pipefail
cd "$(dirname "$0")/.."

interactive_version=1.0.712001
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
started=$(date +%s)

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
# Debian's own Python: the first python3 on PATH may be another one, without these modules.
/usr/bin/python3 -c "import nbconvert, nbclient, nbformat, jupyter_client, ipykernel" >/dev/null 2>&1 \
  || apt_packages+=(jupyter-nbconvert python3-nbclient python3-nbformat jupyter-client python3-ipykernel)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "installing Debian packages for the tests: ${apt_packages[*]}..." >&2
  ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}") >&2 \
    || echo "warning: could not install ${apt_packages[*]}; the browser or notebook tests will fail" >&2
fi

if ! dotnet tool list -g 2>/dev/null | grep -qiE "^microsoft\.dotnet-interactive +${interactive_version//./\\.}( |$)"; then
  echo "installing the dotnet-interactive tool $interactive_version for the notebook tests..." >&2
  dotnet tool uninstall -g Microsoft.dotnet-interactive >/dev/null 2>&1
  dotnet tool install -g Microsoft.dotnet-interactive --version "$interactive_version" >&2 \
    || echo "warning: could not install dotnet-interactive; the notebook tests will fail" >&2
fi
echo "test prerequisites ready in $(( $(date +%s) - started )) s" >&2

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
