namespace LlamaTrainer.Data.Preparation;

/// <summary>
/// A data source the trainer prepares itself: a JSON Lines file of raw documents ({"text": ...} a line) and the shard
/// folder it is tokenized into.
/// </summary>
/// <param name="Name">the source name, recorded in its index.json</param>
/// <param name="ShardLocation">the shard folder: an absolute local path or a blob URL</param>
/// <param name="PrepareFrom">the raw documents: an absolute local path or a blob URL</param>
/// <param name="PrepareFromField">the manifest field that names <paramref name="PrepareFrom"/>, for errors</param>
public sealed record RawSource(string Name, string ShardLocation, string PrepareFrom, string PrepareFromField);
