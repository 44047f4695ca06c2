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
/// container terminated, TerminationMessage what it left as its cause (its termination message: the trainer's one
/// line, or the end of its log). WaitingReason and WaitingMessage are the trainer container's waiting state (for
/// example CreateContainerError or ErrImagePull with the runtime's message).
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
    DateTime? FinishedAt = null,
    string? TerminationMessage = null,
    string? WaitingReason = null,
    string? WaitingMessage = null)
{
    public bool IsTerminating => DeletionTimestamp is not null;

    /// <summary>The container waits for something other than being created (a missing executable or image, a bad config reference): it cannot start by itself.</summary>
    public bool CannotStart => WaitingReason is not (null or "ContainerCreating" or "PodInitializing");

    /// <summary>
    /// What a failure message appends to explain itself: `: "CAUSE"` with the termination message as one line (its
    /// lines joined by " | "), or "" when the container left none.
    /// </summary>
    public string QuotedCause
    {
        get
        {
            var lines = TerminationMessage?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            return lines.Length == 0 ? "" : $": \"{string.Join(" | ", lines)}\"";
        }
    }

    public bool IsFinished => Phase is ObservedPodPhase.Succeeded or ObservedPodPhase.Failed;
}
