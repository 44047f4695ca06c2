namespace LlamaOperator.Api.Layout;

/// <summary>
/// The rows of a dimension that one of dp ranks owns when it is split among them: ceil(rows / dp) per rank, in rank
/// order, so the last ranks may own fewer rows or none. The one rule for ZeRO's optimizer shards (and the checkpoint
/// pieces they are saved as) and for tensor parallelism's split of the vocabulary and the feed-forward width.
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
