using LlamaTrainer.Collectives;
using static TorchSharp.torch;

namespace LlamaTrainer.Parallel;

/// <summary>
/// Small byte payloads (JSON) between the ranks of a group, carried by all-gathers of Int64 tensors: first every
/// payload's length, then every payload zero-padded to the longest. For metadata (piece lists, candidate ids), not bulk data.
/// The tensors live on the group's device (a GPU under NCCL) and are read back on the CPU.
/// </summary>
public static class ByteExchange
{
    /// <summary>Every member's <paramref name="payload"/>, in group rank order, on every member.</summary>
    public static IReadOnlyList<byte[]> AllGather(ICommunicator group, byte[] payload)
    {
        if (group.Size == 1)
        {
            return [payload];
        }

        using var scope = NewDisposeScope();
        var lengths = zeros(group.Size, ScalarType.Int64, group.Device);
        group.AllGather(tensor(new long[] { payload.Length }, device: group.Device), lengths);
        var lengthOf = lengths.cpu().data<long>().ToArray();
        var words = Math.Max(1, (lengthOf.Max() + 7) / 8);
        var mine = new long[words];
        Buffer.BlockCopy(payload, 0, mine, 0, payload.Length);
        var all = zeros(words * group.Size, ScalarType.Int64, group.Device);
        group.AllGather(tensor(mine, device: group.Device), all);
        var flat = all.cpu().data<long>().ToArray();
        return [.. Enumerable.Range(0, group.Size).Select(rank =>
        {
            var bytes = new byte[lengthOf[rank]];
            Buffer.BlockCopy(flat, checked((int)(rank * words * 8)), bytes, 0, bytes.Length);
            return bytes;
        })];
    }

    /// <summary>Whether every member passed true (a collective vote, e.g. "my part of the checkpoint loaded").</summary>
    public static bool All(ICommunicator group, bool mine) => Vote(group, mine, ReduceOp.Min);

    /// <summary>Whether some member passed true (e.g. "a stop was requested here").</summary>
    public static bool Any(ICommunicator group, bool mine) => Vote(group, mine, ReduceOp.Max);

    private static bool Vote(ICommunicator group, bool mine, ReduceOp op)
    {
        if (group.Size == 1)
        {
            return mine;
        }

        using var flag = tensor(new long[] { mine ? 1 : 0 }, device: group.Device);
        group.AllReduce(flag, op);
        return flag.item<long>() == 1;
    }
}
