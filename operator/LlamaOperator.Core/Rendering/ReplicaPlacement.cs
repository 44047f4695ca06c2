using System.Globalization;
using k8s.Models;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// Keeps every node of one model replica (one DP index) in one topology domain (rack, leaf switch), so that TP,
/// CP and PP traffic stays inside a network block and only DP's reduce-scatter crosses blocks.
/// We use a required pod affinity on the dp-replica label rather than Kueue TAS annotations: it works with every
/// gang scheduler (coscheduling, Volcano, the default), needs no Kueue Topology objects, and it constrains each
/// replica separately, whereas podset-required-topology asks for the whole gang (up to 2,048 pods) in one domain.
/// The first pod of a replica may land anywhere (a pod that matches its own affinity term is allowed when no
/// other pod matches); the rest follow it.
/// </summary>
public static class ReplicaPlacement
{
    public static V1Affinity? For(string? topologyKey, StageNames names, int dpReplica)
    {
        if (string.IsNullOrEmpty(topologyKey))
        {
            return null;
        }

        var term = new V1PodAffinityTerm
        {
            TopologyKey = topologyKey,
            LabelSelector = new V1LabelSelector
            {
                MatchLabels = new Dictionary<string, string>
                {
                    [TrainerLabels.Job] = names.Job,
                    [TrainerLabels.Stage] = names.Stage,
                    [TrainerLabels.DpReplica] = dpReplica.ToString(CultureInfo.InvariantCulture),
                },
            },
        };
        return new V1Affinity { PodAffinity = new V1PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [term] } };
    }
}
