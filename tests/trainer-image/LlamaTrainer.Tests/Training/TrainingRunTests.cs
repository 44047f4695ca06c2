using LlamaTrainer.Metrics;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Training;
using Serilog.Core;

namespace LlamaTrainer.Tests.Training;

public class TrainingRunTests
{
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
        var checkpoints = new MemoryCheckpointWriter();

        var outcome = await new TrainingRun(trainer, checkpoints, intervalSteps: 2, [], null, Logger.None).RunAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.StageComplete, outcome);
        Assert.Equal([(2L, false), (4L, false), (5L, true)], checkpoints.Saved.Select(c => (c.Step, c.StageEnd)));
    }

    [Fact]
    public async Task A_stop_request_checkpoints_the_last_step_and_a_resumed_run_finishes_the_stage()
    {
        var config = TinyConfigs.Gqa();
        var stage = TrainerFactory.Stage(budget: 64 * 6);
        using var stop = new CancellationTokenSource();
        var sink = new StopAfter(3, stop);
        var checkpoints = new MemoryCheckpointWriter();
        using (var trainer = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize)))
        {
            var outcome = await new TrainingRun(trainer, checkpoints, intervalSteps: 100, [sink], null, Logger.None).RunAsync(stop.Token);

            Assert.Equal(RunOutcome.Interrupted, outcome);
        }
        Assert.Equal([(3L, false)], checkpoints.Saved.Select(c => (c.Step, c.StageEnd)));

        using var resumed = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize));
        await TrainerCheckpoint.RestoreAsync(resumed, (name, _) => Task.FromResult<Stream>(new MemoryStream(checkpoints.Saved[^1].Shards[name])));
        var again = await new TrainingRun(resumed, checkpoints, intervalSteps: 100, [sink], null, Logger.None).RunAsync(CancellationToken.None);

        Assert.Equal(RunOutcome.StageComplete, again);
        Assert.Equal([1L, 2, 3, 4, 5, 6], sink.Seen.Select(m => m.Step));
        Assert.Equal((6L, true), (checkpoints.Saved[^1].Step, checkpoints.Saved[^1].StageEnd));
    }
}
