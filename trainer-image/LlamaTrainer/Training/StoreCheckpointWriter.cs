using LlamaTrainer.Metrics;
using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Training;

/// <summary>
/// Commits the trainer's checkpoint (every rank's shard, then a manifest with position, metrics and data cursor) to the
/// job's checkpoint store, then prunes to the newest <paramref name="keep"/> (stage-end checkpoints are never pruned by
/// the store). A stage-end manifest carries <paramref name="stageEndEvals"/>' results, taken before the commit since a
/// manifest is immutable.
/// </summary>
public sealed class StoreCheckpointWriter(TrainerCheckpoint checkpoints, int keep, Func<Trainer, CheckpointEvals?>? stageEndEvals = null)
{
    public async Task SaveAsync(Trainer trainer, bool stageEnd, StepMetrics? latest, CancellationToken cancellationToken)
    {
        var state = trainer.State;
        var draft = new CheckpointManifest
        {
            Stage = trainer.Stage.Name,
            StageIndex = trainer.Stage.StageIndex,
            LengthIndex = trainer.Stage.LengthIndex,
            Step = state.Step,
            Tokens = state.Tokens,
            StageTokens = state.StageTokens,
            SequenceLength = trainer.Stage.Batches.At(Math.Max(0, state.StageTokens - 1)).SequenceLength,
            StageEnd = stageEnd,
            Metrics = new TrainingMetrics(latest?.Loss ?? double.NaN, latest?.LearningRate ?? 0, latest?.TokensPerSecond ?? 0, latest?.Mfu),
            DataCursor = trainer.Data.SaveCursor(),
            Evals = stageEnd ? stageEndEvals?.Invoke(trainer) : null,
        };
        await checkpoints.SaveAsync(trainer, draft, keep, cancellationToken);
    }
}
