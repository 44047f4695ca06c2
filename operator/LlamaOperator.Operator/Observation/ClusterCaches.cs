using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Runtime.Caching;

namespace LlamaOperator.Operator.Observation;

/// <summary>
/// The informer caches a reconcile reads: the jobs and their labelled children. PodGroups has one cache per
/// installed PodGroup kind (none when neither CRD is installed); Nodes is null when nodes cannot be listed.
/// </summary>
public sealed record ClusterCaches(
    Cache<LlamaTrainingJob> Jobs,
    Cache<V1Pod> Pods,
    Cache<V1Service> Services,
    Cache<V1ConfigMap> ConfigMaps,
    IReadOnlyList<PodGroupCache> PodGroups,
    Cache<V1Node>? Nodes)
{
    /// <summary>Pod cache index by node name, to find the jobs a node change concerns.</summary>
    public const string NodeIndex = "node";

    /// <summary>Adds the indexes the shell looks children up by; call once, before the informers run.</summary>
    public void AddIndexes()
    {
        Pods.AddIndex(JobIndex.Name, JobIndex.Of);
        Pods.AddIndex(NodeIndex, p => string.IsNullOrEmpty(p.Spec?.NodeName) ? [] : [p.Spec.NodeName]);
        Services.AddIndex(JobIndex.Name, JobIndex.Of);
        ConfigMaps.AddIndex(JobIndex.Name, JobIndex.Of);
        foreach (var groups in PodGroups)
        {
            groups.Cache.AddIndex(JobIndex.Name, JobIndex.Of);
        }
    }
}

/// <summary>The cache of one PodGroup kind (scheduler-plugins or Volcano); list items carry no apiVersion, so the cache says it.</summary>
public sealed record PodGroupCache(string ApiVersion, Cache<PodGroup> Cache)
{
    public string Group => ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)];

    public string Version => ApiVersion[(ApiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
