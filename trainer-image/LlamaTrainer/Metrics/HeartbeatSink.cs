using LlamaTrainer.Storage.Progress;
using LlamaTrainer.Training;
using Serilog;

namespace LlamaTrainer.Metrics;

/// <summary>
/// Writes heartbeat.json (the operator's progress and hang signal) every <paramref name="everySteps"/> steps.
/// A failed write is logged, not fatal: training goes on and the next heartbeat tries again.
/// </summary>
public sealed class HeartbeatSink(HeartbeatStore store, Trainer trainer, int everySteps, ILogger log) : IMetricsSink
{
    public void Report(StepMetrics metrics)
    {
        if (metrics.Step % everySteps != 0)
        {
            return;
        }
        try
        {
            store.WriteAsync(Create(metrics, TrainerState.Running)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or global::Azure.RequestFailedException)
        {
            log.Warning(e, "Heartbeat write failed at step {Step}", metrics.Step);
        }
    }

    public Heartbeat Create(StepMetrics? metrics, TrainerState state) => new()
    {
        Step = trainer.State.Step,
        Tokens = trainer.State.Tokens,
        Stage = trainer.Stage.Name,
        StageIndex = trainer.Stage.StageIndex,
        LengthIndex = trainer.Stage.LengthIndex,
        StageTokens = trainer.State.StageTokens,
        SequenceLength = trainer.Stage.Batches.At(trainer.State.StageTokens).SequenceLength,
        Loss = metrics?.Loss ?? double.NaN,
        LearningRate = metrics?.LearningRate ?? 0,
        TokensPerSecond = metrics?.TokensPerSecond ?? 0,
        Mfu = metrics?.Mfu,
        Time = DateTime.UtcNow,
        Pid = Environment.ProcessId,
        Host = Environment.MachineName,
        State = state,
    };
}
