namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// How a gang failure is handled. Fatal fails the job at once; Retryable restarts the gang and counts against
/// maxRestarts; Infrastructure (eviction, preemption, node loss, a pod deleted by someone else) restarts it without
/// counting.
/// </summary>
public enum FailureKind
{
    Fatal,
    Retryable,
    Infrastructure,
}

/// <summary>A classified failure: Reason is the CamelCase key of status.restarts.byReason and of the event.</summary>
public sealed record GangFailure(FailureKind Kind, string Reason, string Message);
