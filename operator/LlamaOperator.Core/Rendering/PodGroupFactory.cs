using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Rendering;

/// <summary>The PodGroup that makes the stage's pods schedule all-or-nothing; none when the gang scheduler is None.</summary>
public static class PodGroupFactory
{
    /// <param name="nodes">The stage's nodes, one pod each.</param>
    public static PodGroup? Create(ResolvedCluster cluster, int nodes, StageNames names, JobOwner owner)
    {
        var gang = cluster.Scheduling.Gang;
        if (gang == GangScheduler.None)
        {
            return null;
        }

        var group = new PodGroup
        {
            ApiVersion = gang == GangScheduler.Volcano ? PodGroup.VolcanoApiVersion : PodGroup.CoschedulingApiVersion,
            Metadata = new V1ObjectMeta
            {
                Name = names.PodGroup,
                NamespaceProperty = names.Namespace,
                Labels = StageRenderer.StageLabels(names),
                OwnerReferences = owner.References(),
            },
            Spec = new PodGroupSpec
            {
                MinMember = nodes,
                MinResources = MinResources(TrainerPodTemplate.Resources(cluster), nodes),
            },
        };

        if (gang == GangScheduler.Volcano)
        {
            group.Spec.Queue = cluster.Scheduling.Queue;
        }
        else
        {
            group.Spec.ScheduleTimeoutSeconds = cluster.Scheduling.ScheduleTimeoutSeconds;
        }

        return group;
    }

    /// <summary>The whole gang's requests (a limit stands in for a missing request, as Kubernetes defaults it).</summary>
    public static Dictionary<string, ResourceQuantity> MinResources(V1ResourceRequirements perPod, int pods)
    {
        var total = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        foreach (var (name, quantity) in perPod.Limits ?? new Dictionary<string, ResourceQuantity>())
        {
            total[name] = quantity;
        }

        foreach (var (name, quantity) in perPod.Requests ?? new Dictionary<string, ResourceQuantity>())
        {
            total[name] = quantity;
        }

        return total.ToDictionary(
            e => e.Key,
            e => new ResourceQuantity(e.Value.ToDecimal() * pods, 0, e.Value.Format),
            StringComparer.Ordinal);
    }
}
