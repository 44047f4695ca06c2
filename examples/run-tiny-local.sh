#!/usr/bin/env bash
# Runs the whole tiny recipe of examples/tiny-local.yaml on this machine's CPU with the trainer alone, stage by
# stage, in the order the operator runs it: prepare data -> pretrain -> each long-context length (its stage-end
# checkpoint carries the gate evals) -> anneal -> average the annealing checkpoints into the final model.
# Re-running resumes where it stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
job=examples/tiny-local.yaml
work=.work/tiny-local
dotnet build trainer-image/LlamaTrainer -c Release --nologo -v quiet
train=(dotnet trainer-image/LlamaTrainer/bin/Release/net10.0/llama-train.dll)

if [ ! -f "$work/data/general/index.json" ]; then
  "${train[@]}" prepare-data --held-out-documents 20 --output "$work/data" \
    --source general=examples/corpus/general.jsonl --source math=examples/corpus/math.jsonl \
    --source code=examples/corpus/code.jsonl --source multilingual=examples/corpus/multilingual.jsonl
fi

"${train[@]}" train --job "$job" --stage pretrain --metrics-dir "$work/metrics/pretrain"
for i in 0 1; do
  "${train[@]}" train --job "$job" --stage long-context --length-index "$i" --metrics-dir "$work/metrics/long-context-$i"
done
"${train[@]}" train --job "$job" --stage anneal --metrics-dir "$work/metrics/anneal"
"${train[@]}" average --job "$job" --stage anneal
echo "final model: $(cd "$work/checkpoints/final" 2>/dev/null && pwd || echo "$work/checkpoints/final")"
