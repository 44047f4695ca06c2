namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>One scheduling pass: pods to bind (namespace, name, node) and why the others must wait.</summary>
public sealed record SchedulingResult(IReadOnlyList<(string Namespace, string Name, string Node)> Bindings, IReadOnlyDictionary<(string Namespace, string Name), string> Unschedulable);
