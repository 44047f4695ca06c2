using LlamaOperator.Api.Resolution;
using LlamaTrainer.Benchmarks;
using Serilog.Core;

namespace LlamaTrainer.Tests.Benchmarks;

public class ParallelBenchmarkTests
{
    [Fact]
    public async Task A_layout_the_trainer_cannot_train_yet_is_refused_before_any_process_starts()
    {
        var options = new ParallelBenchmarkOptions(new ResolvedParallelism(1, 2, 1, 1), Steps: 1, WarmupSteps: 0, SequenceLength: 16, MicroBatch: 1, GlobalSequences: 2, ParallelBenchmarkOptions.Model6M);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => ParallelBenchmark.RunAsync(options, Logger.None, CancellationToken.None));

        Assert.Contains("--tp/--cp/--pp: cp=2;", error.Message);
    }
}
