using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// activeDeadlineSeconds counts from status.startTime. As in batch/v1 Jobs, resuming a suspended job resets
/// startTime, so time spent suspended does not count.
/// </summary>
internal static class ActiveDeadline
{
    /// <summary>Returns true when the deadline failed the job.</summary>
    public static bool Apply(DecisionContext context)
    {
        if (context.Job.ActiveDeadlineSeconds is not { } seconds || context.Status.StartTime is not { } start || context.Phase == JobPhase.Suspended)
        {
            return false;
        }

        var due = start + TimeSpan.FromSeconds(seconds);
        if (context.Now < due)
        {
            context.RequeueAfter(due - context.Now);
            return false;
        }

        context.Transition(JobPhase.Failed, "DeadlineExceeded", $"the job was active longer than activeDeadlineSeconds ({seconds} s)", warning: true);
        return true;
    }
}
