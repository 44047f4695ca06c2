namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>A committed checkpoint whose shard is missing or differs from its manifest (size or SHA-256).</summary>
public sealed class CheckpointCorruptException(string location, string checkpointId, string shard, string problem)
    : Exception($"checkpoint {checkpointId} at {location}: shard '{shard}' {problem}")
{
    public string CheckpointId { get; } = checkpointId;

    public string Shard { get; } = shard;
}
