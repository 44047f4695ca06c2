namespace LlamaTrainer.Training;

/// <summary>What `llama-train train` was asked to do, after flags and pod environment are merged.</summary>
public sealed record TrainOptions
{
    public required string JobPath { get; init; }

    public required string Stage { get; init; }

    public int? LengthIndex { get; init; }

    /// <summary>Checkpoint store location; null means the job's spec.checkpoint.storage.</summary>
    public string? CheckpointUri { get; init; }

    /// <summary>Folder that relative data source paths are resolved against; null means the manifest's folder.</summary>
    public string? DataRoot { get; init; }

    /// <summary>Where metrics.jsonl and TensorBoard events go; null means none.</summary>
    public string? MetricsDir { get; init; }

    /// <summary>Peak FLOP/s of the device in the training precision, for MFU; null leaves MFU out.</summary>
    public double? PeakFlopsPerSecond { get; init; }

    public int HeartbeatEverySteps { get; init; } = 1;

    /// <summary>Every rank logs its step lines (its own step time), not only global rank 0.</summary>
    public bool LogEveryRank { get; init; }
}
