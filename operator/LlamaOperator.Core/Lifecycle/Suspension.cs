using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// spec.suspend=true moves the job to Suspended (the children rules then delete the gang; SIGTERM makes the trainer
/// checkpoint). Setting it back moves to Restarting without backoff, so the gang is re-created from the latest
/// checkpoint once the old pods are gone; startTime restarts with it.
/// </summary>
internal static class Suspension
{
    /// <summary>Returns true when the job is suspended and nothing else is to be decided.</summary>
    public static bool Apply(DecisionContext context)
    {
        var suspended = context.Phase == JobPhase.Suspended;
        var stage = context.Status.Stage?.Name;
        if (context.Job.Suspend)
        {
            if (!suspended)
            {
                context.Transition(JobPhase.Suspended, "JobSuspended", stage is null
                    ? "spec.suspend is true: no pods are created"
                    : $"spec.suspend is true: the pods of stage {stage} are deleted after a final checkpoint");
            }

            return true;
        }

        if (suspended)
        {
            context.Status.StartTime = context.Now;
            (context.Status.Restarts ??= new RestartStatus()).Consecutive = 0;
            if (stage is null)
            {
                context.Transition(JobPhase.Pending, "JobResumed", "spec.suspend is false: the job starts");
            }
            else
            {
                context.Transition(JobPhase.Restarting, "JobResumed", $"spec.suspend is false: stage {stage} resumes from {context.Status.LatestCheckpoint?.Uri ?? "its start"}");
            }
        }

        return false;
    }
}
