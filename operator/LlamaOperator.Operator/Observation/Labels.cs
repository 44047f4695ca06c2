using k8s.Models;

namespace LlamaOperator.Operator.Observation;

internal static class Labels
{
    /// <summary>The value of a label, or null when the object lacks it.</summary>
    public static string? Value(IMetadata<V1ObjectMeta> obj, string key) =>
        obj.Metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;
}
