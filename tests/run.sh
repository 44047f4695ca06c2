#!/usr/bin/env bash
# The project's test command: installs what the tests need (once), then runs every test project.
# Extra arguments go to `dotnet test`, e.g. tests/run.sh --filter "Category!=Slow" for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/setup-tools.sh
dotnet test LlamaOperator.sln -c Release --nologo "$@"
