using LlamaOperator.Api.Layout;

namespace LlamaTrainer.Parallel;

/// <summary>A parameter's place in a bucket: its rows are split by <see cref="RowShard"/>, and every rank's share is padded to RowsPerRank rows.</summary>
/// <param name="Parameter">index into the parameter list the layout was planned for</param>
/// <param name="Offset">where the parameter's share starts in each rank's segment (elements)</param>
public sealed record BucketSlot(int Parameter, long Rows, long RowElements, long RowsPerRank, long Offset)
{
    /// <summary>Elements of one rank's (padded) share.</summary>
    public long ShareElements => RowsPerRank * RowElements;
}

/// <summary>
/// One reduce-scatter / all-gather unit: parameters whose per-rank shares sit side by side in a segment of
/// <see cref="SegmentElements"/>; the communication buffer is dp segments, rank-major.
/// </summary>
public sealed record GradientBucket(IReadOnlyList<BucketSlot> Slots, long SegmentElements)
{
    /// <summary>Whether some rank's share is padding (rows do not divide by dp), so the buffer must be zeroed first.</summary>
    public bool HasPadding(int dp) => Slots.Any(s => s.RowsPerRank * dp != s.Rows);
}

/// <summary>How parameters are grouped into buckets: a pure function of their shapes, so every rank plans the same.</summary>
public static class BucketLayout
{
    /// <summary>32 MiB of fp32 communication buffer per bucket, about what DDP and FSDP use.</summary>
    public const long DefaultBucketBytes = 32L << 20;

    /// <param name="parameters">(rows, elements per row) in the order their gradients become ready (backward order)</param>
    /// <param name="bucketBytes">fp32 bytes of a bucket's full buffer (dp segments); a larger parameter gets a bucket of its own</param>
    public static IReadOnlyList<GradientBucket> Plan(IReadOnlyList<(long Rows, long RowElements)> parameters, int dp, long bucketBytes = DefaultBucketBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dp, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, sizeof(float));
        var buckets = new List<GradientBucket>();
        var slots = new List<BucketSlot>();
        long segment = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            var (rows, rowElements) = parameters[i];
            var share = RowShard.RowsPerRank(rows, dp) * rowElements;
            if (slots.Count > 0 && (segment + share) * dp * sizeof(float) > bucketBytes)
            {
                buckets.Add(new GradientBucket(slots, segment));
                slots = [];
                segment = 0;
            }

            slots.Add(new BucketSlot(i, rows, rowElements, RowShard.RowsPerRank(rows, dp), segment));
            segment += share;
        }

        if (slots.Count > 0)
        {
            buckets.Add(new GradientBucket(slots, segment));
        }

        return buckets;
    }
}
