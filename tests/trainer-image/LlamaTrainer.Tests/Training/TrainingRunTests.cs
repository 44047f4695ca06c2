using LlamaTrainer.Collectives;
using LlamaTrainer.Metrics;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Training;
using Serilog.Core;

namespace LlamaTrainer.Tests.Training;

public class TrainingRunTests
{
    private static readonly SoloCommunicator Solo = new();

    private sealed class StopAfter(long step, CancellationTokenSource stop) : IMetricsSink
    {
        public List<StepMetrics> Seen { get; } = [];

        public void Report(StepMetrics metrics)
        {
            Seen.Add(metrics);
            if (metrics.Step == step)
            {
                stop.Cancel();
            }
        }
    }

    [Fact]
    public async Task Checkpoints_every_interval_and_once_more_at_the_stage_end()
    {
        var config = TinyConfigs.Gqa();
        using var trainer = TrainerFactory.Create(config, TrainerFactory.Stage(budget: 64 * 5), new SyntheticBatchSource(config.VocabSize));
        using var checkpoints = new FolderCheckpoints();

        var outcome = await new TrainingRun(trainer, checkpoints.Writer, intervalSteps: 2, [], null, Solo, Logger.None).RunAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.StageComplete, outcome);
        Assert.Equal([(2L, false), (4L, false), (5L, true)], await checkpoints.SavedAsync());
    }

    [Fact]
    public async Task A_stop_request_checkpoints_the_last_step_and_a_resumed_run_finishes_the_stage()
    {
        var config = TinyConfigs.Gqa();
        var stage = TrainerFactory.Stage(budget: 64 * 6);
        using var stop = new CancellationTokenSource();
        var sink = new StopAfter(3, stop);
        using var checkpoints = new FolderCheckpoints();
        using (var trainer = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize)))
        {
            var outcome = await new TrainingRun(trainer, checkpoints.Writer, intervalSteps: 100, [sink], null, Solo, Logger.None).RunAsync(stop.Token);

            Assert.Equal(RunOutcome.Interrupted, outcome);
        }
        Assert.Equal([(3L, false)], await checkpoints.SavedAsync());

        using var resumed = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize));
        await checkpoints.Checkpoint.RestoreNewestAsync(resumed, CancellationToken.None);
        var again = await new TrainingRun(resumed, checkpoints.Writer, intervalSteps: 100, [sink], null, Solo, Logger.None).RunAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.StageComplete, again);
        Assert.Equal([1L, 2, 3, 4, 5, 6], sink.Seen.Select(m => m.Step));
        Assert.Equal((6L, true), (await checkpoints.SavedAsync())[^1]);
    }
}
