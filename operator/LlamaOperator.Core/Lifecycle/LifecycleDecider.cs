using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// The job lifecycle as one pure, level-based function in the spirit of controller-runtime's Reconcile: from an
/// observation to the desired status, the API writes, the events and a requeue. Deciding again on the observation
/// that results from applying a decision changes nothing.
/// </summary>
public static class LifecycleDecider
{
    public static JobDecision Decide(JobObservation observation) => Decide(observation, LifecycleSettings.Default);

    public static JobDecision Decide(JobObservation observation, LifecycleSettings settings)
    {
        var context = new DecisionContext(observation);
        if (observation.Job.Metadata?.DeletionTimestamp is not null)
        {
            return context.Build(); // being deleted: owner references take the children
        }

        SpecAcceptance.Apply(context);
        StuckPodReaper.Apply(context, settings);
        if (observation.Resolved is null)
        {
            return context.Build(); // the running gang is left as it is until the spec is valid again
        }

        var newCheckpoint = ProgressProjection.Apply(context);
        if (!FinishedJob.IsFinished(context.Phase))
        {
            Advance(context, newCheckpoint);
            ContainerStartFailures.Apply(context);
        }

        if (FinishedJob.IsFinished(context.Phase))
        {
            FinishedJob.Apply(context);
        }

        ChildrenReconciler.Apply(context);
        return context.Build();
    }

    private static void Advance(DecisionContext context, bool newCheckpoint)
    {
        if (Suspension.Apply(context))
        {
            return;
        }

        if (context.Status.Stage is null && context.Phase is JobPhase.Scheduling or JobPhase.Running or JobPhase.Restarting or JobPhase.Averaging)
        {
            context.Status.Phase = JobPhase.Pending; // a status that lost its stage (edited by hand): start over from what storage holds
        }

        if (SpecReview.RunningStageRemoved(context.Observation.Job.Spec, context.Status.Stage) is { } removed)
        {
            context.SetCondition(ConditionTypes.SpecRejected, true, "RunningStageRemoved", removed.Message);
            return;
        }

        if (ActiveDeadline.Apply(context))
        {
            return;
        }

        if (newCheckpoint && context.Phase == JobPhase.Running && context.Status.Restarts is { } restarts)
        {
            restarts.Consecutive = 0; // the gang made progress: the next failure starts the backoff afresh
        }

        switch (context.Phase)
        {
            case JobPhase.Pending:
                StoredRecipeStart.Apply(context);
                break;
            case JobPhase.Restarting:
                RestartWait.Apply(context);
                break;
            case JobPhase.Scheduling or JobPhase.Running:
                var stage = StageStarter.Current(context)!;
                if (!StageCompletion.Apply(context, stage) && !GangSupervisor.Apply(context, stage))
                {
                    GangStartup.Apply(context, stage);
                }

                break;
            case JobPhase.Averaging:
                AveragingStep.Apply(context);
                break;
        }
    }
}
