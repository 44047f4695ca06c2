using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// Where the model runs and in which precision: CUDA in bf16 when there is a GPU (the process's LOCAL_RANK picks it;
/// the optimizer keeps fp32 master weights and moments), else the CPU in fp32.
/// </summary>
public sealed record ComputeDevice(Device Device, ScalarType DType)
{
    public static ComputeDevice Cpu => new(CPU, ScalarType.Float32);

    public static ComputeDevice Select(int localRank = 0) =>
        cuda.is_available() ? new ComputeDevice(new Device(DeviceType.CUDA, localRank), ScalarType.BFloat16) : Cpu;

    public override string ToString() => $"{Device.type} {DType}";
}
