namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>A shard as committed: its name in the checkpoint folder, size, and lowercase hex SHA-256.</summary>
public sealed record ShardDigest(string Name, long Bytes, string Sha256);
