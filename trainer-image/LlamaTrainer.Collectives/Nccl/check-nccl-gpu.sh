#!/usr/bin/env bash
# Runs the NCCL engine's tests on real GPUs: the unit tests and NcclGpuTests (two ranks as threads of one process,
# one GPU each: every collective against expected values, and a silent rank that must time out and abort).
#   trainer-image/LlamaTrainer.Collectives/Nccl/check-nccl-gpu.sh [more dotnet test arguments]
# Needs a machine (or a container started with --gpus all) with two or more NVIDIA GPUs and their driver,
# libnccl.so.2 (NCCL 2.17 or later, package libnccl2) and libcudart.so.12 on the loader path, the .NET 10 SDK, g++ and
# apt-get (the Gloo shim is built too), and a NuGet feed that serves TorchSharp-cuda-linux. Fails, rather than skips, when
# a GPU test does not run.
set -euo pipefail

fail() { echo "check-nccl-gpu: $*" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
project="$root/tests/trainer-image/LlamaTrainer.Collectives.Tests"

command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: no NVIDIA driver here"
gpus=$(nvidia-smi -L | grep -c '^GPU ' || true)
((gpus >= 2)) || fail "the GPU tests need 2 GPUs; nvidia-smi lists $gpus"
for library in libnccl.so.2 libcudart.so.12; do
    if ! ldconfig -p | grep -q "$library" && [[ -z ${LD_LIBRARY_PATH:-} ]]; then
        fail "$library is not on the loader path (libnccl2 / the CUDA 12 runtime; or set LD_LIBRARY_PATH)"
    fi
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export LLAMA_NCCL_GPU_TESTS=1
export NCCL_DEBUG=${NCCL_DEBUG:-WARN}
set +e
dotnet test "$project" -c Release -p:TorchBackend=cuda --filter "FullyQualifiedName~.Nccl." \
    --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
((status == 0)) || fail "dotnet test failed ($status)"
if grep -q "Skipped .*NcclGpuTests" "$log"; then
    fail "some NcclGpuTests were skipped; see the skip reasons above"
fi
grep -q "Passed .*NcclGpuTests" "$log" || fail "no NcclGpuTests ran"
echo "check-nccl-gpu: NCCL GPU tests passed on $gpus GPUs"
