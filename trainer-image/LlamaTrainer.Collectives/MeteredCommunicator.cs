using static TorchSharp.torch;

namespace LlamaTrainer.Collectives;

/// <summary>
/// A group that counts the bytes its collectives move, by the convention of nccl-tests' algorithm bandwidth: the whole
/// buffer of each call (all-reduce's tensor, reduce-scatter's input, all-gather's output, a broadcast's, sent or
/// received tensor); a group of one moves nothing. What `bench parallel` compares with a layout's analytic volume.
/// </summary>
public sealed class MeteredCommunicator(ICommunicator inner) : ICommunicator
{
    private long _bytes;

    /// <summary>Bytes moved by this rank's calls so far.</summary>
    public long BytesMoved => Interlocked.Read(ref _bytes);

    public int Rank => inner.Rank;

    public int Size => inner.Size;

    public string Name => inner.Name;

    public Device Device => inner.Device;

    public int GlobalRank(int groupRank) => inner.GlobalRank(groupRank);

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        inner.AllReduce(tensor, op);
        Count(tensor);
    }

    public void ReduceScatter(Tensor input, Tensor output, ReduceOp op = ReduceOp.Sum)
    {
        inner.ReduceScatter(input, output, op);
        Count(input);
    }

    public void AllGather(Tensor input, Tensor output)
    {
        inner.AllGather(input, output);
        Count(output);
    }

    public void Broadcast(Tensor tensor, int root)
    {
        inner.Broadcast(tensor, root);
        Count(tensor);
    }

    public IPendingTransfers Start(IReadOnlyList<Transfer> transfers)
    {
        var pending = inner.Start(transfers);
        foreach (var transfer in transfers)
        {
            Count(transfer.Tensor);
        }

        return pending;
    }

    public void Barrier() => inner.Barrier();

    public void Dispose() => inner.Dispose();

    private void Count(Tensor tensor)
    {
        if (inner.Size > 1)
        {
            Interlocked.Add(ref _bytes, TensorMemory.Bytes(tensor));
        }
    }
}
