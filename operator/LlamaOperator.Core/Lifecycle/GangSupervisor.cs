using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Watches the gang of the current stage: a failed, disrupted or missing pod, a gang that exited without the
/// stage-end checkpoint, or (while Running) no heartbeat for hangTimeoutSeconds fails the job or restarts the gang.
/// </summary>
internal static class GangSupervisor
{
    /// <summary>Returns true when a failure was handled.</summary>
    public static bool Apply(DecisionContext context, ResolvedStage stage)
    {
        var failure = Failure(context, stage);
        if (failure is null)
        {
            return false;
        }

        if (failure.Kind == FailureKind.Fatal)
        {
            context.Transition(JobPhase.Failed, failure.Reason, failure.Message, warning: true);
        }
        else
        {
            GangRestart.Apply(context, failure);
        }

        return true;
    }

    private static GangFailure? Failure(DecisionContext context, ResolvedStage stage)
    {
        var pods = context.Observation.Children.PodsOf(stage.Name).ToList();
        if (GangFailureClassifier.Classify(pods, context.Job.FailurePolicy) is { } failure)
        {
            return failure;
        }

        if (context.Observation.Children.GangExitedZero(stage.Name, stage.Nodes))
        {
            return new GangFailure(FailureKind.Retryable, "ExitedWithoutStageEnd", $"all pods of stage {stage.Name} exited 0 but no stage-end checkpoint of it is committed");
        }

        if (context.Phase != JobPhase.Running)
        {
            return null;
        }

        if (pods.Count < stage.Nodes)
        {
            return new GangFailure(FailureKind.Infrastructure, "PodMissing", $"{stage.Nodes - pods.Count} of {stage.Nodes} pods of stage {stage.Name} are gone");
        }

        return Hang(context);
    }

    private static GangFailure? Hang(DecisionContext context)
    {
        if (context.Observation.Progress.Unavailable is not null)
        {
            return null; // a stale heartbeat says nothing while storage is unreadable; restarting would not help
        }

        var timeout = TimeSpan.FromSeconds(context.Job.FailurePolicy.HangTimeoutSeconds);
        var runningSince = JobConditionSetter.Find(context.Status, ConditionTypes.Ready)?.LastTransitionTime ?? context.Now;
        var heartbeat = context.Observation.Progress.Heartbeat?.Time;
        var last = heartbeat > runningSince ? heartbeat.Value : runningSince;
        if (context.Now - last < timeout)
        {
            context.RequeueAfter(last + timeout - context.Now);
            return null;
        }

        return new GangFailure(FailureKind.Retryable, "Hang", $"no heartbeat since {last:O} (failurePolicy.hangTimeoutSeconds {timeout.TotalSeconds:0})");
    }
}
