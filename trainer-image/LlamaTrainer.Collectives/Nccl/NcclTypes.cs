using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>How the collectives' element types and reductions are spelled for NCCL.</summary>
internal static class NcclTypes
{
    /// <summary>NCCL's type for <paramref name="type"/>; null for a type the collectives do not take.</summary>
    public static NcclNative.DataType? DataType(ScalarType type) => type switch
    {
        ScalarType.Float32 => NcclNative.DataType.Float32,
        ScalarType.Float64 => NcclNative.DataType.Float64,
        ScalarType.Int64 => NcclNative.DataType.Int64,
        ScalarType.BFloat16 => NcclNative.DataType.BFloat16,
        _ => null,
    };

    public static NcclNative.RedOp RedOp(ReduceOp op) => op switch
    {
        ReduceOp.Sum => NcclNative.RedOp.Sum,
        ReduceOp.Max => NcclNative.RedOp.Max,
        ReduceOp.Min => NcclNative.RedOp.Min,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "NCCL collectives take Sum, Max or Min"),
    };

    /// <summary>
    /// The failure an NCCL error stands for: a lost peer or connection (remote and system errors), a timeout, or the
    /// engine's own fault (CUDA, internal, misuse).
    /// </summary>
    public static CollectiveException Failure(NcclNative.Result result, string message) => result switch
    {
        NcclNative.Result.RemoteError or NcclNative.Result.SystemError => new PeerFailureException(message),
        NcclNative.Result.Timeout => new CollectiveTimeoutException(message),
        _ => new CollectiveEngineException(message),
    };

    /// <summary>What <paramref name="result"/> means for the group, in words.</summary>
    public static string Meaning(NcclNative.Result result) => result switch
    {
        NcclNative.Result.RemoteError => "a peer failed or its connection broke",
        NcclNative.Result.SystemError => "a system call or the network failed (a peer may have died)",
        NcclNative.Result.Timeout => "NCCL timed out",
        NcclNative.Result.UnhandledCudaError => "a CUDA call failed",
        NcclNative.Result.InvalidArgument or NcclNative.Result.InvalidUsage => "NCCL refused the call",
        _ => "NCCL failed",
    };
}
