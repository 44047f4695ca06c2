using System.Globalization;

namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>
/// What one rank wrote of a checkpoint: its shard object's digest and, for each tensor it holds a part of, the tensor
/// with only this rank's pieces. Plain data: ranks send it to rank 0 as JSON (<see cref="StoredJson"/>), which merges
/// all of them into the checkpoint's <see cref="TensorIndex"/>.
/// </summary>
public sealed record RankShard(int Rank, ShardDigest Shard, IReadOnlyList<StoredTensor> Tensors)
{
    public const int MaxRank = 99_999;

    /// <summary>The rank's shard object in the checkpoint folder: rank-00000.bin.</summary>
    public static string ShardName(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, MaxRank);
        return "rank-" + rank.ToString("D5", CultureInfo.InvariantCulture) + ".bin";
    }
}
