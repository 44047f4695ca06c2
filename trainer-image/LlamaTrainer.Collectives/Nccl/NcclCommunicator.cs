using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Nccl;

/// <summary>
/// One NCCL process group on contiguous CUDA tensors of this rank's device (Float32, Float64, Int64, BFloat16; NCCL
/// reduces BFloat16 natively). The tensor shell over <see cref="NcclGroup"/>: it checks each tensor and hands its
/// address, element count and type to the group. After a <see cref="CollectiveException"/> the communicator was
/// aborted: every further call throws InvalidOperationException, and the gang must rebuild its groups.
/// </summary>
public sealed class NcclCommunicator : ICommunicator
{
    private readonly NcclGroup _group;
    private Tensor? _barrier;

    internal NcclCommunicator(NcclGroup group)
    {
        _group = group;
        Device = new Device(DeviceType.CUDA, group.CudaDevice);
    }

    public int Rank => _group.Rank;

    public int Size => _group.Size;

    public string Name => _group.Name;

    /// <summary>cuda:N, this rank's GPU.</summary>
    public Device Device { get; }

    public int GlobalRank(int groupRank) => _group.GlobalRank(groupRank);

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) =>
        _group.AllReduce(Buffer(tensor, nameof(tensor), "all-reduce"), op);

    public void ReduceScatter(Tensor input, Tensor output, ReduceOp op = ReduceOp.Sum) =>
        _group.ReduceScatter(Buffer(input, nameof(input), "reduce-scatter"), Buffer(output, nameof(output), "reduce-scatter"), op);

    public void AllGather(Tensor input, Tensor output) =>
        _group.AllGather(Buffer(input, nameof(input), "all-gather"), Buffer(output, nameof(output), "all-gather"));

    public void Broadcast(Tensor tensor, int root) => _group.Broadcast(Buffer(tensor, nameof(tensor), "broadcast"), root);

    public IPendingTransfers Start(IReadOnlyList<Transfer> transfers)
    {
        if (transfers.Count == 0)
            return NoPendingTransfers.Instance;
        var where = _group.Post([.. transfers.Select(t => (Buffer(t.Tensor, nameof(transfers), t.Sends ? "send" : "receive"), t.Peer, t.Sends))]);
        return new Pending(_group, where);
    }

    // Stream 0 runs everything in order: a transfer is done once the GPU has run what was enqueued up to now.
    private sealed class Pending(NcclGroup group, string where) : IPendingTransfers
    {
        public void Wait(int index) => group.AwaitStream(where);
    }

    /// <summary>An all-reduce of one element: NCCL has no barrier of its own.</summary>
    public void Barrier()
    {
        _barrier ??= zeros(1, ScalarType.Float32, Device);
        AllReduce(_barrier);
    }

    /// <summary>Destroys the communicator; members still inside a collective with it time out or see a peer failure.</summary>
    public void Dispose()
    {
        _group.Dispose();
        _barrier?.Dispose();
        _barrier = null;
    }

    private NcclBuffer Buffer(Tensor tensor, string parameter, string operation)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameter);
        var where = $"{operation} in {Name}";
        var type = NcclTypes.DataType(tensor.dtype)
            ?? throw new ArgumentException($"{where}: {parameter} is {tensor.dtype}; NCCL collectives take Float32, Float64, Int64 or BFloat16", parameter);
        if (!tensor.is_contiguous())
            throw new ArgumentException($"{where}: {parameter} ({tensor.dtype}, shape [{string.Join(", ", tensor.shape)}]) is not contiguous; pass tensor.contiguous()", parameter);
        if (tensor.device_type != DeviceType.CUDA || tensor.device_index != _group.CudaDevice)
            throw new ArgumentException($"{where}: {parameter} ({tensor.dtype}) is on {tensor.device}; NCCL works on CUDA tensors of this rank's device, {Device}", parameter);
        return new NcclBuffer(TensorMemory.Address(tensor), tensor.numel(), type);
    }
}
