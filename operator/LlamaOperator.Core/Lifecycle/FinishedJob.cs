using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>A finished job (Succeeded or Failed) is deleted ttlSecondsAfterFinished after its completion time, as in batch/v1 Jobs.</summary>
internal static class FinishedJob
{
    public static bool IsFinished(JobPhase phase) => phase is JobPhase.Succeeded or JobPhase.Failed;

    public static void Apply(DecisionContext context)
    {
        if (context.Job.TtlSecondsAfterFinished is not { } ttl || context.Status.CompletionTime is not { } completed)
        {
            return;
        }

        var due = completed + TimeSpan.FromSeconds(ttl);
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
