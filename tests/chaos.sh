#!/usr/bin/env bash
# Chaos check, not part of the suite (minutes): trains the micro recipe once undisturbed, then again while it kills
# random trainer processes (SIGKILL) and the operator (SIGKILL, then started again), and compares the final models'
# bytes. The job must reach Succeeded both times with bitwise-equal final weights.
#   tests/chaos.sh [TRAINER_KILLS (20)] [OPERATOR_KILLS (5)] [PRETRAIN_TOKENS (196608: 768 steps, long enough for the kills)]
# Needs a Release build (dotnet build LlamaOperator.sln -c Release) and kubectl (tests/setup-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
trainer_kills=${1:-20}
operator_kills=${2:-5}
pretrain_tokens=${3:-196608}
llamaop=(dotnet "$root/operator/LlamaOperator.Cli/bin/Release/net10.0/llamaop.dll")
kubectl=$(command -v kubectl || echo "$root/.tools/bin/kubectl")
work=$(mktemp -d /tmp/llamaop-chaos-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The micro recipe with a longer pretrain (the kills need a running job to land in) and room for every restart.
manifest() { # $1: folder
  sed -e "s#DATA/#$1/data/#; s#CHECKPOINTS#$1/checkpoints#; s#CORPUS/#$root/examples/corpus/#" \
      -e "s#tokens: 6144#tokens: $pretrain_tokens#; s#maxRestarts: 3#maxRestarts: 1000#" \
      tests/operator/LlamaOperator.Cli.Tests/TestData/micro-local.yaml > "$1/micro.yaml"
}

final_digest() { # $1: folder; the final model's shards, by name and content
  (cd "$1"/checkpoints/final/step-* && sha256sum ./*.bin | sort -k2)
}

# This dev cluster's trainer processes only (launchers and their workers), not those of any other run on the machine.
trainers_of() { # $1: pid
  local child
  for child in $(pgrep -P "$1" || true); do
    grep -q "llama-train.dll" "/proc/$child/cmdline" 2>/dev/null && echo "$child"
    trainers_of "$child"
  done
}

phase() { # $1: kubeconfig
  "$kubectl" --kubeconfig "$1" get ltj micro -o jsonpath='{.status.phase}' 2>/dev/null || true
}

mkdir -p "$work/calm" "$work/chaos"
manifest "$work/calm"
manifest "$work/chaos"

echo "undisturbed run ($work/calm)"
start=$(date +%s)
"${llamaop[@]}" local "$work/calm/micro.yaml" --work-dir "$work/calm/work" > "$work/calm/out.txt" 2>&1 \
  || { tail -5 "$work/calm/out.txt"; exit 1; }
echo "  Succeeded in $(( $(date +%s) - start )) s"

echo "run with $trainer_kills trainer kills and $operator_kills operator kills ($work/chaos)"
"${llamaop[@]}" dev-cluster --manifest-folder "$work/chaos" --work-dir "$work/chaos/cluster" > "$work/chaos/cluster.txt" 2>&1 &
cluster=$!
pids+=("$cluster")
kubeconfig=""
for _ in $(seq 300); do
  kubeconfig=$(sed -n 's/^kubeconfig: //p' "$work/chaos/cluster.txt" | head -1)
  [ -n "$kubeconfig" ] && break
  sleep 0.2
done
[ -n "$kubeconfig" ] || { echo "the dev cluster printed no kubeconfig"; cat "$work/chaos/cluster.txt"; exit 1; }

operator=""
start_operator() {
  "${llamaop[@]}" run --kubeconfig "$kubeconfig" --leader-elect false --http-address http://127.0.0.1:0 >> "$work/chaos/operator.txt" 2>&1 &
  operator=$!
  pids+=("$operator")
}
start_operator
"$kubectl" --kubeconfig "$kubeconfig" apply -f "$work/chaos/micro.yaml" > /dev/null

start=$(date +%s)
killed_trainers=0
killed_operators=0
while [ "$(phase "$kubeconfig")" != Succeeded ]; do
  [ "$(phase "$kubeconfig")" = Failed ] && { echo "the job Failed"; "$kubectl" --kubeconfig "$kubeconfig" describe ltj micro | tail -20; exit 1; }
  [ $(( $(date +%s) - start )) -gt 1800 ] && { echo "no Succeeded within 30 min"; exit 1; }
  sleep "$(( RANDOM % 4 + 1 ))"
  if (( killed_operators < operator_kills )) && (( killed_trainers >= trainer_kills || RANDOM % (trainer_kills / operator_kills + 1) == 0 )); then
    kill -9 "$operator" 2>/dev/null || true
    wait "$operator" 2>/dev/null || true
    killed_operators=$((killed_operators + 1))
    echo "  $(date +%T) killed the operator ($killed_operators/$operator_kills)"
    sleep 1
    start_operator
  elif (( killed_trainers < trainer_kills )); then
    mapfile -t trainers < <(trainers_of "$cluster")
    if (( ${#trainers[@]} > 0 )); then
      victim=${trainers[RANDOM % ${#trainers[@]}]}
      kill -9 "$victim" 2>/dev/null && {
        killed_trainers=$((killed_trainers + 1))
        echo "  $(date +%T) killed trainer process $victim ($killed_trainers/$trainer_kills)"
      }
    fi
  fi
done
echo "  Succeeded in $(( $(date +%s) - start )) s after $killed_trainers trainer kills and $killed_operators operator kills;" \
  "restarts counted: $("$kubectl" --kubeconfig "$kubeconfig" get ltj micro -o jsonpath='{.status.restarts.total}')"

if diff <(final_digest "$work/calm") <(final_digest "$work/chaos") > /dev/null; then
  echo "final models bitwise equal ($(final_digest "$work/chaos" | wc -l) shards)"
  rm -rf "$work"
else
  echo "final models DIFFER:"
  diff <(final_digest "$work/calm") <(final_digest "$work/chaos") || true
  exit 1
fi
