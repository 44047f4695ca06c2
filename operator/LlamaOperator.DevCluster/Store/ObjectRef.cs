using LlamaOperator.DevCluster.Resources;

namespace LlamaOperator.DevCluster.Store;

/// <summary>Where a stored object lives: its kind, namespace ("" when cluster-scoped) and name.</summary>
public sealed record ObjectRef(ResourceKind Kind, string Namespace, string Name);
