#!/usr/bin/env bash
# The project's test command: installs what the tests need (once), then runs every test project.
# Extra arguments go to `dotnet test`, e.g. tests/run.sh --filter "Category!=Slow" for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/setup-tools.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test LlamaOperator.sln -c Release --nologo "$@" 2>&1 | tee "$log" || status=$?
# One closing line over all test assemblies.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' FS='[ ,]+' "$log"
exit "$status"
