namespace LlamaTrainer.Parallel;

/// <summary>
/// The rows of a tensor's first dimension that one data-parallel rank owns under ZeRO sharding: ceil(rows / dp) per
/// rank, in rank order, so the last ranks may own fewer rows or none. The one rule for the optimizer's shards and for
/// the checkpoint pieces they are saved as.
/// </summary>
public readonly record struct RowShard(long Start, long Count)
{
    public static long RowsPerRank(long rows, int dp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(dp, 1);
        return (rows + dp - 1) / dp;
    }

    public static RowShard Of(long rows, int dp, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, dp);
        var perRank = RowsPerRank(rows, dp);
        var start = Math.Min(rows, perRank * rank);
        return new RowShard(start, Math.Min(rows, start + perRank) - start);
    }
}
