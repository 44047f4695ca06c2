using LlamaTrainer.Metrics;

namespace LlamaTrainer.Training;

/// <summary>Commits a checkpoint of the trainer (its shards plus a manifest with the latest metrics).</summary>
public interface ICheckpointWriter
{
    Task SaveAsync(Trainer trainer, bool stageEnd, StepMetrics? latest, CancellationToken cancellationToken);
}
