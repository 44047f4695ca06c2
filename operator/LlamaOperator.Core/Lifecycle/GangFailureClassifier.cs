using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Classifies the pods of a running gang. OOMKilled is Retryable (counted): it comes from the job's own memory
/// settings and would recur on every restart, so it must run into maxRestarts rather than loop forever. Eviction,
/// preemption, a DisruptionTarget condition, a lost node or a pod deleted by someone else are Infrastructure.
/// With several failed pods the most severe wins: Fatal, then Retryable, then Infrastructure.
/// </summary>
public static class GangFailureClassifier
{
    private static readonly HashSet<string> InfrastructureReasons = new(StringComparer.Ordinal) { "Evicted", "Preempting", "Preempted", "NodeLost", "Shutdown", "Terminated", "NodeShutdown" };

    public static GangFailure? Classify(IEnumerable<ObservedPod> gang, ResolvedFailurePolicy policy) =>
        gang.Select(p => Classify(p, policy)).OfType<GangFailure>().OrderBy(f => f.Kind).FirstOrDefault();

    public static GangFailure? Classify(ObservedPod pod, ResolvedFailurePolicy policy)
    {
        var who = $"pod {pod.Name} (node rank {pod.NodeRank})";
        if (pod.NodeLost || pod.Phase == ObservedPodPhase.Unknown)
        {
            return new GangFailure(FailureKind.Infrastructure, "NodeLost", $"{who}: node {pod.NodeName} is lost or NotReady");
        }

        if (pod.DisruptionTarget || (pod.TerminationReason is { } r && InfrastructureReasons.Contains(r)))
        {
            var reason = pod.TerminationReason is { } t && InfrastructureReasons.Contains(t) ? t : "Disrupted";
            return new GangFailure(FailureKind.Infrastructure, reason, $"{who} was disrupted ({pod.TerminationReason ?? "DisruptionTarget"})");
        }

        if (pod.IsTerminating)
        {
            return new GangFailure(FailureKind.Infrastructure, "PodDeleted", $"{who} was deleted");
        }

        if (pod.Phase != ObservedPodPhase.Failed)
        {
            return null;
        }

        if (pod.ExitCode is not { } code)
        {
            return new GangFailure(FailureKind.Retryable, "PodFailed", $"{who} failed without an exit code ({pod.TerminationReason ?? "no reason"})");
        }

        var exited = $"{who} exited with code {code}{(pod.TerminationReason is null ? "" : $" ({pod.TerminationReason})")}";
        if (policy.IsFatal(code))
        {
            return new GangFailure(FailureKind.Fatal, "FatalExitCode", $"{exited}, listed in failurePolicy.fatalExitCodes");
        }

        if (!policy.IsRetryable(code))
        {
            return new GangFailure(FailureKind.Fatal, "NonRetryableExitCode", $"{exited}, not listed in failurePolicy.retryableExitCodes");
        }

        return new GangFailure(FailureKind.Retryable, pod.TerminationReason == "OOMKilled" ? "OOMKilled" : "PodFailed", exited);
    }
}
