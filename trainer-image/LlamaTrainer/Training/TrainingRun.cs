using LlamaTrainer.Collectives;
using LlamaTrainer.Metrics;
using LlamaTrainer.Parallel;
using Serilog;

namespace LlamaTrainer.Training;

/// <summary>
/// Drives a trainer through its stage: steps until the token budget is used, reports every step, checkpoints every
/// <paramref name="intervalSteps"/> steps and at the end. A stop request (SIGTERM) is honoured between steps: the
/// current state is checkpointed and the run returns <see cref="RunOutcome.Interrupted"/>. In a gang the ranks agree on
/// stopping before each step (a signal reaches them at different moments), so they all checkpoint the same step.
/// </summary>
public sealed class TrainingRun(Trainer trainer, StoreCheckpointWriter checkpoints, int intervalSteps, IReadOnlyList<IMetricsSink> sinks, double? peakFlopsPerSecond, ICommunicator world, ILogger log)
{
    public async Task<RunOutcome> RunAsync(CancellationToken stop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSteps, 1);
        StepMetrics? latest = null;
        long savedAt = trainer.State.Step;
        while (!trainer.StageDone)
        {
            if (ByteExchange.Any(world, stop.IsCancellationRequested))
            {
                log.Information("Stop requested at step {Step}: checkpointing", trainer.State.Step);
                if (savedAt != trainer.State.Step)
                {
                    await checkpoints.SaveAsync(trainer, stageEnd: false, latest, CancellationToken.None);
                }
                return RunOutcome.Interrupted;
            }

            var result = trainer.Step();
            latest = StepMetrics.From(result, trainer.Model.Config, peakFlopsPerSecond);
            foreach (var sink in sinks)
            {
                sink.Report(latest);
            }
            log.Information(
                "step {Step} loss {Loss:F4} lr {LearningRate:E2} grad {GradNorm:F3} tokens {Tokens} tok/s {TokensPerSecond:F0} MFU {Mfu:P1}",
                latest.Step, latest.Loss, latest.LearningRate, latest.GradNorm, latest.Tokens, latest.TokensPerSecond, latest.Mfu);

            if (result.State.StageStep % intervalSteps == 0 && !trainer.StageDone)
            {
                await checkpoints.SaveAsync(trainer, stageEnd: false, latest, CancellationToken.None);
                savedAt = trainer.State.Step;
            }
        }

        await checkpoints.SaveAsync(trainer, stageEnd: true, latest, CancellationToken.None);
        log.Information("Stage {Stage} complete: {Tokens} tokens in {Steps} steps", trainer.Stage.Name, trainer.State.StageTokens, trainer.State.StageStep);
        return RunOutcome.StageComplete;
    }
}
