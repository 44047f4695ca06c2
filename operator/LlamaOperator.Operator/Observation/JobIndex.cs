using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Operator.Observation;

/// <summary>The cache index that finds a job's children: "namespace/job" from the llamaoperator.dev/job label.</summary>
public static class JobIndex
{
    public const string Name = "job";

    public static IEnumerable<string> Of(IMetadata<V1ObjectMeta> obj) =>
        obj.Metadata?.Labels is { } labels && labels.TryGetValue(TrainerLabels.Job, out var job) && !string.IsNullOrEmpty(job)
            ? [Key(obj.Metadata.NamespaceProperty, job)]
            : [];

    public static string Key(string? @namespace, string job) => $"{@namespace}/{job}";
}
