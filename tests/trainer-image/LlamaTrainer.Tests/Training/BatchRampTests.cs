using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

public class BatchRampTests
{
    // Llama 3 405B: 4M tokens at 4,096; after 252M tokens 8M at 8,192; after 2.87T tokens 16M.
    private static readonly BatchRamp Llama3 = new(
        new BatchShape(4L << 20, 4096),
        [new RampPoint(2_870_000_000_000, new BatchShape(16L << 20, 8192)), new RampPoint(252_000_000, new BatchShape(8L << 20, 8192))]);

    [Theory]
    [InlineData(0, 4L << 20, 4096)]
    [InlineData(251_999_999, 4L << 20, 4096)]
    [InlineData(252_000_000, 8L << 20, 8192)]
    [InlineData(2_870_000_000_000, 16L << 20, 8192)]
    public void The_batch_follows_the_tokens_consumed(long tokens, long batchTokens, int sequenceLength)
    {
        Assert.Equal(new BatchShape(batchTokens, sequenceLength), Llama3.At(tokens));
    }

    [Fact]
    public void Steps_for_a_budget_count_each_phase_at_its_batch_size()
    {
        var ramp = new BatchRamp(new BatchShape(100, 10), [new RampPoint(300, new BatchShape(200, 10))]);

        // 3 steps of 100 reach 300, then 200 per step: 300 -> 500 -> 700 -> 900 -> 1000 needs 4 more (last overshoots).
        Assert.Equal(7, ramp.StepsFor(1000));
    }
}
