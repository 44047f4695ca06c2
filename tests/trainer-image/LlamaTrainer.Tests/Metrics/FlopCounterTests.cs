using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Metrics;
using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Metrics;

public class FlopCounterTests
{
    [Fact]
    public void Llama3_8b_at_8k_context_costs_about_58_gigaflops_per_trained_token()
    {
        // 6 x 7.505e9 non-embedding parameters = 45.03e9, attention 12 x 32 x 4096 x 8192 = 12.88e9.
        var flops = FlopCounter.TrainingFlopsPerToken(ModelPresets.All["llama3-8b"], 8192);

        Assert.InRange(flops, 57.9e9 * 0.995, 57.9e9 * 1.005);
    }

    [Fact]
    public void Mfu_is_achieved_flops_over_the_peak()
    {
        var model = ModelPresets.All["llama3-8b"];
        var step = new StepResult(new TrainingState(10, 1000, 10, 1000), 2.0, 1e-4, 0.5, BatchTokens: 8192 * 4, SequenceLength: 8192, TimeSpan.FromSeconds(2));

        var metrics = StepMetrics.From(step, model, peakFlopsPerSecond: 989e12);

        Assert.Equal(16384, metrics.TokensPerSecond, 6);
        Assert.Equal(16384 * FlopCounter.TrainingFlopsPerToken(model, 8192), metrics.FlopsPerSecond, 0);
        Assert.Equal(metrics.FlopsPerSecond / 989e12, metrics.Mfu!.Value, 9);
    }
}
