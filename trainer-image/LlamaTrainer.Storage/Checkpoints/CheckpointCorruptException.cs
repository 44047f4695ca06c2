namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// A committed checkpoint whose shard is missing or differs from its manifest (size or SHA-256), or whose tensor index
/// or a piece of a tensor is bad; <see cref="Tensor"/> names the tensor then.
/// </summary>
public sealed class CheckpointCorruptException(string location, string checkpointId, string shard, string problem, string? tensor = null)
    : Exception($"checkpoint {checkpointId} at {location}: shard '{shard}' {problem}")
{
    public string CheckpointId { get; } = checkpointId;

    public string Shard { get; } = shard;

    public string? Tensor { get; } = tensor;
}
