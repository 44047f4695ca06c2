namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// A pod Terminating on a lost node never goes away by itself (its kubelet cannot confirm), and it blocks re-creating a
/// pod of the same name: after the grace it is force-deleted.
/// </summary>
internal static class StuckPodReaper
{
    public static void Apply(DecisionContext context, LifecycleSettings settings)
    {
        var children = context.Observation.Children;
        var pods = children.AveragingPod is null ? children.Pods : children.Pods.Append(children.AveragingPod);
        foreach (var pod in pods.Where(p => p.IsTerminating && p.NodeLost))
        {
            var due = pod.DeletionTimestamp!.Value + settings.ForceDeleteGrace;
            if (context.Now >= due)
            {
                context.Act(new ForceDeletePod(pod.Name));
                context.Record(true, "ForceDeletedPod", $"pod {pod.Name} was stuck Terminating on lost node {pod.NodeName} for {settings.ForceDeleteGrace.TotalSeconds:0} s");
            }
            else
            {
                context.RequeueAfter(due - context.Now);
            }
        }
    }
}
