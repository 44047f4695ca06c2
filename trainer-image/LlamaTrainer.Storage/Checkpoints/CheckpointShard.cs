namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// A shard to commit: a name in the checkpoint folder (e.g. model.bin) and a callback that writes its bytes.
/// The callback streams into storage; it must not dispose the stream it is given.
/// </summary>
public sealed record CheckpointShard(string Name, Func<Stream, CancellationToken, Task> WriteAsync);
