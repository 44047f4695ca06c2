using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// What to do about one observation: the desired status (equal to the observed one when nothing changed, so the
/// shell writes nothing), the API writes to make, the events to record, and when to look again.
/// </summary>
public sealed record JobDecision(
    LlamaTrainingJobStatus Status,
    IReadOnlyList<LifecycleAction> Actions,
    IReadOnlyList<JobEvent> Events,
    TimeSpan? RequeueAfter);
