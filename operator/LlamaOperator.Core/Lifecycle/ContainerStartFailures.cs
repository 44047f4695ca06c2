using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// A pod whose trainer container cannot start (its waiting reason is CreateContainerError, ErrImagePull,
/// CreateContainerConfigError, ...) is not a training failure: nothing restarts and no restart is counted, as
/// Kubernetes itself keeps such a container waiting and tries again. The job says so in the ContainerStartFailure
/// condition (True, the waiting reason, the first such pod and the runtime's message) and one Warning event per new
/// reason or message; the condition turns False once no pod of the gang (or the averaging pod) waits like that.
/// </summary>
internal static class ContainerStartFailures
{
    public static void Apply(DecisionContext context)
    {
        var children = context.Observation.Children;
        IEnumerable<ObservedPod> pods = context.Phase switch
        {
            JobPhase.Scheduling or JobPhase.Running when context.Status.Stage is { } stage => children.PodsOf(stage.Name),
            JobPhase.Averaging when children.AveragingPod is { } averaging => [averaging],
            _ => [],
        };
        var waiting = pods.Where(p => p.CannotStart && !p.IsTerminating).OrderBy(p => p.NodeRank).ToList();
        var existing = JobConditionSetter.Find(context.Status, ConditionTypes.ContainerStartFailure);
        if (waiting.Count == 0)
        {
            if (existing is not null)
            {
                context.SetCondition(ConditionTypes.ContainerStartFailure, false, "ContainersStarted", "no trainer container is waiting to start");
            }

            return;
        }

        var first = waiting[0];
        var reason = first.WaitingReason!;
        var others = waiting.Count == 1 ? "" : $"; {waiting.Count - 1} more pod{(waiting.Count == 2 ? "" : "s")} of the gang wait{(waiting.Count == 2 ? "s" : "")} likewise";
        var message = $"pod {first.Name} (node rank {first.NodeRank}) cannot start its container ({reason}){(string.IsNullOrEmpty(first.WaitingMessage) ? "" : $": {first.WaitingMessage}")}{others}; not a training failure, so no restart is counted";
        if (existing is not { Status: JobConditionSetter.True } || existing.Reason != reason || existing.Message != message)
        {
            context.Record(true, reason, message);
        }

        context.SetCondition(ConditionTypes.ContainerStartFailure, true, reason, message);
    }
}
