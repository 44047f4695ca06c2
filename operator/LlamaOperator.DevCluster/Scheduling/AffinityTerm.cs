using LlamaOperator.DevCluster.Selectors;

namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>A requiredDuringSchedulingIgnoredDuringExecution pod affinity term: pods matching the selector share the topology value.</summary>
public sealed record AffinityTerm(LabelSelector Selector, string TopologyKey, IReadOnlyList<string> Namespaces);
