using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>Restarting: once the old gang's pods are gone and the backoff has elapsed, the gang is created again (Scheduling).</summary>
internal static class RestartWait
{
    public static void Apply(DecisionContext context)
    {
        var stage = context.Status.Stage!.Name;
        if (context.Observation.Children.PodsOf(stage).Any())
        {
            return; // their deletion events bring us back
        }

        var restarts = context.Status.Restarts ?? new RestartStatus();
        var due = (restarts.LastRestartTime ?? context.Now) + RestartBackoff.Delay(context.Job.FailurePolicy, restarts.Consecutive ?? 0);
        if (context.Now < due)
        {
            context.RequeueAfter(due - context.Now);
            return;
        }

        context.Transition(JobPhase.Scheduling, "GangCreated", $"creating the gang of stage {stage} from {context.Status.LatestCheckpoint?.Uri ?? "the stage start"}");
    }
}
