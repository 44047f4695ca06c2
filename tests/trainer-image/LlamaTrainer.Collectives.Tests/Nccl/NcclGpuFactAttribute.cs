using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>
/// A test that needs real NCCL on two GPUs: skipped unless LLAMA_NCCL_GPU_TESTS=1 and TorchSharp sees at least two
/// CUDA devices (which takes a -p:TorchBackend=cuda build). The skip reason says which is missing.
/// </summary>
public sealed class NcclGpuFactAttribute : FactAttribute
{
    public const string Variable = "LLAMA_NCCL_GPU_TESTS";
    public const int Devices = 2;

    public NcclGpuFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"needs {Devices} GPUs and libnccl.so.2: set {Variable}=1 and build with -p:TorchBackend=cuda (trainer-image/LlamaTrainer.Collectives/Nccl/check-nccl-gpu.sh)";
            return;
        }
        var visible = cuda.is_available() ? cuda.device_count() : 0;
        if (visible < Devices)
            Skip = $"{Variable}=1, but TorchSharp sees {visible} CUDA device(s) and the NCCL GPU tests need {Devices} (is this a -p:TorchBackend=cuda build on a machine with {Devices} GPUs?)";
    }
}
