using LlamaOperator.Core.Lifecycle;
using LlamaTrainer.Storage.Progress;
using StoredEvals = LlamaTrainer.Storage.Checkpoints.CheckpointEvals;

namespace LlamaOperator.Operator.Progress;

/// <summary>Maps what the trainer wrote (heartbeat, newest committed manifest, final model) to the lifecycle's ObservedProgress.</summary>
public static class ProgressMapping
{
    public static ObservedProgress Map(TrainingProgress progress)
    {
        var heartbeat = progress.Heartbeat is { } h
            ? new ObservedHeartbeat(h.Step, h.Tokens, DateTime.SpecifyKind(h.Time, DateTimeKind.Utc), h.State.ToString(), h.Loss, h.TokensPerSecond)
            : null;
        var checkpoint = progress.LatestCheckpoint is { } m && progress.LatestCheckpointLocation is { } location
            ? new CommittedCheckpoint(
                m.Id,
                location,
                m.Stage,
                m.StageIndex,
                m.LengthIndex ?? 0,
                m.Step,
                m.Tokens,
                m.StageEnd,
                m.CreatedAt == default ? null : DateTime.SpecifyKind(m.CreatedAt, DateTimeKind.Utc),
                Evals(m.Evals))
            : null;
        return new ObservedProgress(heartbeat, checkpoint, progress.FinalModel is null ? null : progress.FinalModelLocation);
    }

    /// <remarks>The manifest lists needle results per length; the gate looks accuracies up by length (the last result of a length wins).</remarks>
    private static CheckpointEvals? Evals(StoredEvals? evals)
    {
        if (evals is null)
        {
            return null;
        }

        var needle = new Dictionary<int, double>();
        foreach (var result in evals.Needle)
        {
            needle[result.Length] = result.Accuracy;
        }

        return new CheckpointEvals(evals.ShortContextLoss, evals.BaselineShortContextLoss, needle);
    }
}
