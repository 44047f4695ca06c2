namespace LlamaOperator.DevCluster.Store;

/// <summary>What a delete did: removed the object now, or marked it (finalizers, grace period) and left it.</summary>
public sealed record DeleteOutcome(StoredObject Object, bool Removed);
