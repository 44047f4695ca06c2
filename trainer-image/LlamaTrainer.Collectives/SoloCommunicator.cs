using static TorchSharp.torch;

namespace LlamaTrainer.Collectives;

/// <summary>
/// A group of one process: every collective is the identity, so a single-process run (and evaluation) takes the
/// same code path as a gang without loading an engine. Point-to-point calls have no peer and throw.
/// </summary>
public sealed class SoloCommunicator(int globalRank = 0, string name = "group of one process") : ICommunicator
{
    public int Rank => 0;

    public int Size => 1;

    public string Name => name;

    /// <summary>CPU; a group of one moves nothing, so it takes tensors on any device.</summary>
    public Device Device => CPU;

    public int GlobalRank(int groupRank)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(groupRank, 0);
        return globalRank;
    }

    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
    }

    public void ReduceScatter(Tensor input, Tensor output, ReduceOp op = ReduceOp.Sum) => CopyWhole(input, output, nameof(ReduceScatter));

    public void AllGather(Tensor input, Tensor output) => CopyWhole(input, output, nameof(AllGather));

    public void Broadcast(Tensor tensor, int root) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);

    public IPendingTransfers Start(IReadOnlyList<Transfer> transfers) =>
        transfers.Count == 0
            ? NoPendingTransfers.Instance
            : throw new InvalidOperationException($"{name} has no peer {transfers[0].Peer} to {(transfers[0].Sends ? "send to" : "receive from")}");

    public void Barrier()
    {
    }

    public void Dispose()
    {
    }

    private void CopyWhole(Tensor input, Tensor output, string operation)
    {
        if (input.numel() != output.numel())
        {
            throw new ArgumentException($"{operation} on {name}: input has {input.numel()} elements, output {output.numel()}; a group of one needs them equal");
        }

        using var noGrad = no_grad();
        output.view(-1).copy_(input.view(-1));
    }
}
