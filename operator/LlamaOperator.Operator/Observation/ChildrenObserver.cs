using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Operator.Observation;

/// <summary>
/// The job's children as the caches show them: trainer pods by stage, each stage's Service, ConfigMap and PodGroup, the averaging pod.
/// Objects owned by another job of the same name (a deleted predecessor the garbage collector has not removed yet)
/// are not this job's.
/// </summary>
public static class ChildrenObserver
{
    public static ObservedChildren Observe(LlamaTrainingJob job, ClusterCaches caches)
    {
        var key = JobIndex.Key(job.Metadata.NamespaceProperty, job.Metadata.Name);
        var nodes = new NodeHealth(caches.Nodes is { } cache ? name => cache.Get(null, name) : null);
        var pods = new List<ObservedPod>();
        ObservedPod? averaging = null;
        foreach (var pod in Owned(job, caches.Pods.ByIndex(JobIndex.Name, key)))
        {
            if (Labels.Value(pod, TrainerLabels.Role) == TrainerLabels.AveragingRole)
            {
                averaging = PodObserver.Observe(pod, nodes);
            }
            else if (Labels.Value(pod, TrainerLabels.Stage) is not null)
            {
                pods.Add(PodObserver.Observe(pod, nodes));
            }
        }

        var services = ByStage(job, caches.Services.ByIndex(JobIndex.Name, key));
        var configMaps = ByStage(job, caches.ConfigMaps.ByIndex(JobIndex.Name, key));
        var podGroups = ByStage(job, caches.PodGroups.SelectMany(c => c.Cache.ByIndex(JobIndex.Name, key)));
        var stageObjects = services.Keys.Concat(configMaps.Keys).Concat(podGroups.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(stage => new ObservedStageObjects(stage, services.GetValueOrDefault(stage), configMaps.GetValueOrDefault(stage), podGroups.GetValueOrDefault(stage)))
            .ToList();
        return new ObservedChildren(pods.OrderBy(p => p.Stage, StringComparer.Ordinal).ThenBy(p => p.NodeRank).ToList(), stageObjects, averaging);
    }

    /// <summary>The job's objects by their stage label (one per stage; the first of each).</summary>
    private static Dictionary<string, T> ByStage<T>(LlamaTrainingJob job, IEnumerable<T> objects)
        where T : IMetadata<V1ObjectMeta>
    {
        var byStage = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var o in Owned(job, objects))
        {
            if (Labels.Value(o, TrainerLabels.Stage) is { } stage)
            {
                byStage.TryAdd(stage, o);
            }
        }

        return byStage;
    }

    private static IEnumerable<T> Owned<T>(LlamaTrainingJob job, IEnumerable<T> objects)
        where T : IMetadata<V1ObjectMeta>
    {
        var uid = job.Metadata.Uid;
        return objects.Where(o =>
            string.IsNullOrEmpty(uid)
            || o.Metadata.OwnerReferences?.FirstOrDefault(r => r.Controller == true) is not { } owner
            || owner.Uid == uid);
    }
}
