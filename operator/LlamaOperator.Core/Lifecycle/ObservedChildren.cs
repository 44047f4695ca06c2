using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>The objects the job owns, as the cache shows them: trainer pods (any stage), the per-stage objects, the averaging pod.</summary>
public sealed record ObservedChildren(
    IReadOnlyList<ObservedPod> Pods,
    IReadOnlyList<ObservedStageObjects> StageObjects,
    ObservedPod? AveragingPod)
{
    public static ObservedChildren None { get; } = new([], [], null);

    public IEnumerable<ObservedPod> PodsOf(string stage) => Pods.Where(p => p.Stage == stage);

    /// <summary>Whether all of the stage's pods (at least <paramref name="nodes"/> of them) exited 0.</summary>
    public bool GangExitedZero(string stage, int nodes)
    {
        var pods = PodsOf(stage).ToList();
        return pods.Count >= nodes && pods.All(p => p.Phase == ObservedPodPhase.Succeeded);
    }

    public ObservedStageObjects? ObjectsOf(string stage) => StageObjects.FirstOrDefault(o => o.Stage == stage);
}

/// <summary>A stage's non-pod objects as the cache shows them (headless Service, ConfigMap, PodGroup); null when missing.</summary>
public sealed record ObservedStageObjects(string Stage, V1Service? Service, V1ConfigMap? ConfigMap, PodGroup? PodGroup)
{
    public bool Any => Service is not null || ConfigMap is not null || PodGroup is not null;
}
