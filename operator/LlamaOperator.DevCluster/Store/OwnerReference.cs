namespace LlamaOperator.DevCluster.Store;

/// <summary>An entry of metadata.ownerReferences, as the garbage collector needs it.</summary>
public sealed record OwnerReference(string Uid, string ApiVersion, string Kind, string Name, bool BlockOwnerDeletion);
