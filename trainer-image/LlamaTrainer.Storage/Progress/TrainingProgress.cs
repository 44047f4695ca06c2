using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Storage.Progress;

/// <summary>A job's progress as its store shows it: the heartbeat, the resume point and the final model, each null while absent.</summary>
public sealed record TrainingProgress(
    Heartbeat? Heartbeat,
    CheckpointManifest? LatestCheckpoint,
    string? LatestCheckpointLocation,
    CheckpointManifest? FinalModel,
    string? FinalModelLocation);
