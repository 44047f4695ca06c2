using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Restarts the whole gang after a failure: counts it on status.restarts, fails the job once counted restarts exceed
/// maxRestarts, else moves to Restarting (the children rules delete the gang; RestartWait re-creates it after the backoff).
/// </summary>
internal static class GangRestart
{
    public static void Apply(DecisionContext context, GangFailure failure)
    {
        var policy = context.Job.FailurePolicy;
        var restarts = context.Status.Restarts ??= new RestartStatus();
        restarts.Total++;
        var byReason = restarts.ByReason ??= [];
        byReason[failure.Reason] = byReason.GetValueOrDefault(failure.Reason) + 1;
        if (failure.Kind == FailureKind.Retryable)
        {
            restarts.Counted++;
        }

        restarts.Consecutive = (restarts.Consecutive ?? 0) + 1;
        restarts.LastRestartTime = context.Now;
        if (restarts.Counted > policy.MaxRestarts)
        {
            context.Transition(JobPhase.Failed, "MaxRestartsExceeded",
                $"{restarts.Counted} counted restarts exceed failurePolicy.maxRestarts ({policy.MaxRestarts}); last failure: {failure.Message}", warning: true);
            return;
        }

        var delay = RestartBackoff.Delay(policy, restarts.Consecutive.Value);
        var counted = failure.Kind == FailureKind.Retryable ? $"counted {restarts.Counted}/{policy.MaxRestarts}" : "not counted (infrastructure)";
        context.Transition(JobPhase.Restarting, failure.Reason,
            $"{failure.Message}: the whole gang of stage {context.Status.Stage!.Name} restarts in {delay.TotalSeconds:0} s from {context.Status.LatestCheckpoint?.Uri ?? "the stage start"} (restart {restarts.Total}, {counted})",
            warning: true);
        context.RequeueAfter(delay);
    }
}
