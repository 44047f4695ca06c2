using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// A finished job (Succeeded or Failed) is deleted ttlSecondsAfterFinished after its completion time, as in batch/v1 Jobs,
/// but never sooner: the API server stores the time to the second, so the stored value may be up to 1 s before the
/// real completion, and the deadline counts from the end of that second.
/// </summary>
internal static class FinishedJob
{
    public static bool IsFinished(JobPhase phase) => phase is JobPhase.Succeeded or JobPhase.Failed;

    public static void Apply(DecisionContext context)
    {
        if (context.Job.TtlSecondsAfterFinished is not { } ttl || context.Status.CompletionTime is not { } completed)
        {
            return;
        }

        var due = completed.AddTicks(-(completed.Ticks % TimeSpan.TicksPerSecond)) + TimeSpan.FromSeconds(ttl + 1);
        if (context.Now >= due)
        {
            context.Act(new DeleteJob());
        }
        else
        {
            context.RequeueAfter(due - context.Now);
        }
    }
}
