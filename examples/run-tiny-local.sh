#!/usr/bin/env bash
# Runs the whole tiny recipe of examples/tiny-local.yaml on this machine's CPU with the trainer alone, stage by
# stage, in the order the operator runs it: pretrain (its first start tokenizes examples/corpus into token shards,
# from the sources' prepareFrom) -> each long-context length (its stage-end checkpoint carries the gate evals) ->
# anneal -> average the annealing checkpoints into the final model -> held-out loss of the final model.
# Re-running resumes where it stopped. Prints each step's wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
job=examples/tiny-local.yaml
# As the job's spec.cluster.env gives the trainer pods: one intra-op thread (a shared CPU); override to use more.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
work=.work/tiny-local
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  echo "== $label: $((SECONDS - start)) s"
}

timed build dotnet build trainer-image/LlamaTrainer -c Release --nologo -v quiet
train=(dotnet trainer-image/LlamaTrainer/bin/Release/net10.0/llama-train.dll)

timed pretrain "${train[@]}" train --job "$job" --stage pretrain --metrics-dir "$work/metrics/pretrain"
for i in 0 1; do
  timed "long-context length $i" "${train[@]}" train --job "$job" --stage long-context --length-index "$i" --metrics-dir "$work/metrics/long-context-$i"
done
timed anneal "${train[@]}" train --job "$job" --stage anneal --metrics-dir "$work/metrics/anneal"
timed average "${train[@]}" average --job "$job" --stage anneal
timed "final eval" "${train[@]}" eval --job "$job" --final --short-context 128 --output "$work/final-evals.json"
echo "final model: $(cd "$work/checkpoints/final" 2>/dev/null && pwd || echo "$work/checkpoints/final")"
