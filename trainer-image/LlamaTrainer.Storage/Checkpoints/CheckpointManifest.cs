namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// What a checkpoint is: where training stood, the shards and their digests, metrics and evals.
/// Its presence commits the checkpoint (it is written after every shard). Stored as manifest.json.
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>The newest format this code reads and writes: 2, shards plus a tensor index (tensors.json).</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Format 1: opaque shards only, what <see cref="CheckpointStore.CommitAsync"/> writes.</summary>
    public const int OpaqueShardsFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Set by <see cref="CheckpointStore.CommitAsync"/> from the step; see <see cref="CheckpointId"/>.</summary>
    public string Id { get; init; } = "";

    /// <summary>Stage name, as in the job spec.</summary>
    public required string Stage { get; init; }

    public required int StageIndex { get; init; }

    /// <summary>LongContext: index of the current length in the stage's sequence lengths; null in other stages.</summary>
    public int? LengthIndex { get; init; }

    /// <summary>Optimizer steps done over the whole job.</summary>
    public required long Step { get; init; }

    /// <summary>Tokens consumed over the whole job.</summary>
    public required long Tokens { get; init; }

    /// <summary>Tokens consumed in this stage (or this LongContext length).</summary>
    public required long StageTokens { get; init; }

    public required int SequenceLength { get; init; }

    /// <summary>UTC; set at commit when left default.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>The last checkpoint of a stage (or length): never pruned, the input of the next stage.</summary>
    public bool StageEnd { get; init; }

    /// <summary>Set at commit from what was written; in format 2 it lists the rank shards, the small shards and tensors.json.</summary>
    public IReadOnlyList<ShardDigest> Shards { get; init; } = [];

    /// <summary>The parallel layout that wrote the checkpoint; informational, optional.</summary>
    public CheckpointLayout? Layout { get; init; }

    public required TrainingMetrics Metrics { get; init; }

    public CheckpointEvals? Evals { get; init; }

    /// <summary>Where the data loader resumes; opaque to storage.</summary>
    public string? DataCursor { get; init; }

    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
