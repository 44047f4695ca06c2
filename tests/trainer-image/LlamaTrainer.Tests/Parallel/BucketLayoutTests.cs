using LlamaOperator.Api.Layout;
using LlamaTrainer.Parallel;

namespace LlamaTrainer.Tests.Parallel;

public class BucketLayoutTests
{
    [Theory]
    [InlineData(10, 4, new long[] { 0, 3, 6, 9 }, new long[] { 3, 3, 3, 1 })]
    [InlineData(2, 4, new long[] { 0, 1, 2, 2 }, new long[] { 1, 1, 0, 0 })]
    [InlineData(8, 2, new long[] { 0, 4 }, new long[] { 4, 4 })]
    public void Ranks_own_ceil_rows_over_dp_in_rank_order_and_together_every_row_once(long rows, int dp, long[] starts, long[] counts)
    {
        var shards = Enumerable.Range(0, dp).Select(r => RowShard.Of(rows, dp, r)).ToList();

        Assert.Equal(starts, shards.Select(s => s.Start));
        Assert.Equal(counts, shards.Select(s => s.Count));
        Assert.Equal(rows, shards.Sum(s => s.Count));
    }

    [Fact]
    public void Parameters_fill_buckets_in_order_up_to_the_byte_limit_and_a_large_one_gets_its_own()
    {
        // fp32 bytes of a slot's full buffer = dp * ceil(rows/dp) * rowElements * 4.
        var buckets = BucketLayout.Plan([(4, 4), (4, 4), (64, 16), (3, 1)], dp: 2, bucketBytes: 256);

        Assert.Equal([[0, 1], [2], [3]], buckets.Select(b => b.Slots.Select(s => s.Parameter).ToArray()));
        Assert.Equal([0L, 8], buckets[0].Slots.Select(s => s.Offset));
        Assert.Equal(16, buckets[0].SegmentElements);
        Assert.False(buckets[0].HasPadding(2));
        Assert.True(buckets[2].HasPadding(2)); // 3 rows over 2 ranks: 2 + 1, padded to 2 + 2
    }
}
