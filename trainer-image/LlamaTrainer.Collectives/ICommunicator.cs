using static TorchSharp.torch;

namespace LlamaTrainer.Collectives;

/// <summary>
/// The collectives of one process group on TorchSharp tensors, carried out by an existing engine (Gloo on CPU
/// tensors, NCCL on CUDA tensors). Every member must call the same operations in the same order. Tensors must be
/// contiguous, on the engine's device, and of a supported type (Float32, BFloat16, Float64, Int64); reductions of
/// BFloat16 run in Float32 where the engine has no BFloat16 arithmetic. Every call either completes or throws a
/// <see cref="CollectiveException"/> within the group's timeout: a dead peer gives <see cref="PeerFailureException"/>,
/// a silent one <see cref="CollectiveTimeoutException"/>; after either the communicator is unusable.
/// Not thread-safe: one thread at a time issues a group's operations.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's rank within the group, 0..Size-1.</summary>
    int Rank { get; }

    int Size { get; }

    /// <summary>What the group is, for logs and errors, e.g. "dp group of global ranks 0, 2".</summary>
    string Name { get; }

    /// <summary>
    /// The device whose tensors the engine takes: CPU for Gloo and for a group of one, cuda:N for NCCL. Small tensors
    /// made for this group's collectives (a flag, a sum, exchanged bytes) belong here.
    /// </summary>
    Device Device { get; }

    /// <summary>Global rank of group member <paramref name="groupRank"/> (errors name global ranks).</summary>
    int GlobalRank(int groupRank);

    /// <summary>In place: every member ends with the element-wise reduction of all members' tensors.</summary>
    void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum);

    /// <summary>
    /// <paramref name="input"/> holds Size equal chunks (Size * output.numel() elements); member r receives in
    /// <paramref name="output"/> the reduction over all members of chunk r.
    /// </summary>
    void ReduceScatter(Tensor input, Tensor output, ReduceOp op = ReduceOp.Sum);

    /// <summary><paramref name="output"/> (Size * input.numel() elements) receives every member's input, in rank order.</summary>
    void AllGather(Tensor input, Tensor output);

    /// <summary>In place: every member ends with <paramref name="root"/>'s tensor.</summary>
    void Broadcast(Tensor tensor, int root);

    /// <summary>
    /// Starts every transfer and returns at once; <see cref="IPendingTransfers.Wait"/> finishes them (the tensors must
    /// stay alive and untouched until then). Each send must meet a receive of the same size and type started by the
    /// peer; between two members, in one direction, transfers meet in the order started. So a rank can start a receive
    /// before the peer sends, and keep computing while its sends go out.
    /// </summary>
    IPendingTransfers Start(IReadOnlyList<Transfer> transfers);

    /// <summary>Returns once every member has called it.</summary>
    void Barrier();
}
