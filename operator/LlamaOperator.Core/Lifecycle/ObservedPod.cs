namespace LlamaOperator.Core.Lifecycle;

public enum ObservedPodPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

/// <summary>
/// A pod of the job as the cache shows it. Stage is the pod's stage label; ExitCode and TerminationReason come from
/// the trainer container's terminated state (reason OOMKilled, Error, ...) or, when the pod itself was evicted or
/// preempted, from status.reason (Evicted, Preempting). DisruptionTarget is the pod condition Kubernetes sets before
/// it evicts or preempts a pod; NodeLost means the pod's node is NotReady or gone. FinishedAt is when the trainer
/// container terminated.
/// </summary>
public sealed record ObservedPod(
    string Name,
    string Stage,
    int NodeRank,
    ObservedPodPhase Phase,
    int? ExitCode = null,
    string? TerminationReason = null,
    DateTime? DeletionTimestamp = null,
    string? NodeName = null,
    bool DisruptionTarget = false,
    bool NodeLost = false,
    DateTime? FinishedAt = null)
{
    public bool IsTerminating => DeletionTimestamp is not null;

    public bool IsFinished => Phase is ObservedPodPhase.Succeeded or ObservedPodPhase.Failed;
}
