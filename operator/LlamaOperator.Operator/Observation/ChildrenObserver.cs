using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Operator.Observation;

/// <summary>
/// The job's children as the caches show them: trainer pods by stage, which stage objects exist, the averaging pod.
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

        var services = Stages(job, caches.Services.ByIndex(JobIndex.Name, key));
        var configMaps = Stages(job, caches.ConfigMaps.ByIndex(JobIndex.Name, key));
        var podGroups = caches.PodGroups.SelectMany(c => Stages(job, c.Cache.ByIndex(JobIndex.Name, key))).ToHashSet(StringComparer.Ordinal);
        var stageObjects = services.Concat(configMaps).Concat(podGroups).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(stage => new ObservedStageObjects(stage, services.Contains(stage), configMaps.Contains(stage), podGroups.Contains(stage)))
            .ToList();
        return new ObservedChildren(pods.OrderBy(p => p.Stage, StringComparer.Ordinal).ThenBy(p => p.NodeRank).ToList(), stageObjects, averaging);
    }

    private static HashSet<string> Stages<T>(LlamaTrainingJob job, IEnumerable<T> objects)
        where T : IMetadata<V1ObjectMeta> =>
        Owned(job, objects).Select(o => Labels.Value(o, TrainerLabels.Stage)).OfType<string>().ToHashSet(StringComparer.Ordinal);

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
