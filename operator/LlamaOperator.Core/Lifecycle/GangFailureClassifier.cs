using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Classifies the pods of a running gang. OOMKilled is Retryable (counted): it comes from the job's own memory
/// settings and would recur on every restart, so it must run into maxRestarts rather than loop forever. Eviction,
/// preemption, a DisruptionTarget condition, a lost node, a pod deleted by someone else or a container the runtime
/// could not start (StartError: it never trained) are Infrastructure. A failure message ends with the failed
/// container's termination message, quoted (<see cref="ObservedPod.QuotedCause"/>).
/// Exit codes <see cref="TrainerExitCodes.PeerFailure"/> and <see cref="TrainerExitCodes.CollectiveTimeout"/> are
/// Retryable with reasons PeerFailure and CollectiveTimeout.
/// With several failed pods the root cause wins: when one rank dies, its peers exit with PeerFailure (or time out)
/// a moment later, so any other failure comes before a CollectiveTimeout, which comes before a PeerFailure; then the
/// most severe (Fatal, Retryable, Infrastructure), then the first to finish.
/// </summary>
public static class GangFailureClassifier
{
    public const string PeerFailureReason = "PeerFailure";
    public const string CollectiveTimeoutReason = "CollectiveTimeout";

    private const string ContainerCannotRunReason = "ContainerCannotRun";

    /// <summary>Terminated reasons of a container the runtime could not start (containerd: StartError; Docker: ContainerCannotRun): it never trained.</summary>
    private static readonly HashSet<string> CannotRunReasons = new(StringComparer.Ordinal) { "StartError", ContainerCannotRunReason };

    private static readonly HashSet<string> InfrastructureReasons = new(StringComparer.Ordinal) { "Evicted", "Preempting", "Preempted", "NodeLost", "Shutdown", "Terminated", "NodeShutdown" };

    public static GangFailure? Classify(IEnumerable<ObservedPod> gang, ResolvedFailurePolicy policy)
    {
        var failures = gang
            .Select(pod => (Pod: pod, Failure: Classify(pod, policy)))
            .Where(f => f.Failure is not null)
            .OrderBy(f => Consequence(f.Failure!))
            .ThenBy(f => f.Failure!.Kind)
            .ThenBy(f => f.Pod.FinishedAt ?? DateTime.MaxValue)
            .Select(f => f.Failure!)
            .ToList();
        if (failures.Count <= 1)
        {
            return failures.FirstOrDefault();
        }

        var root = failures[0];
        var others = failures.Skip(1).GroupBy(f => f.Reason).Select(g => $"{g.Count()} {g.Key}");
        var more = failures.Count == 2 ? "1 more pod" : $"{failures.Count - 1} more pods";
        return root with { Message = $"{root.Message}; {more} of the gang failed with it ({string.Join(", ", others)})" };
    }

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

        var cause = pod.QuotedCause;
        if (pod.TerminationReason is { } notRun && CannotRunReasons.Contains(notRun))
        {
            return new GangFailure(FailureKind.Infrastructure, ContainerCannotRunReason, $"{who}: its container could not be started ({notRun}){cause}");
        }

        if (pod.ExitCode is not { } code)
        {
            return new GangFailure(FailureKind.Retryable, "PodFailed", $"{who} failed without an exit code ({pod.TerminationReason ?? "no reason"}){cause}");
        }

        var exited = $"{who} exited with code {code}{(pod.TerminationReason is null ? "" : $" ({pod.TerminationReason})")}";
        if (policy.IsFatal(code))
        {
            return new GangFailure(FailureKind.Fatal, "FatalExitCode", $"{exited}, listed in failurePolicy.fatalExitCodes{cause}");
        }

        if (!policy.IsRetryable(code))
        {
            return new GangFailure(FailureKind.Fatal, "NonRetryableExitCode", $"{exited}, not listed in failurePolicy.retryableExitCodes{cause}");
        }

        return code switch
        {
            TrainerExitCodes.PeerFailure => new GangFailure(FailureKind.Retryable, PeerFailureReason, $"{exited}: a peer of a collective died{cause}"),
            TrainerExitCodes.CollectiveTimeout => new GangFailure(FailureKind.Retryable, CollectiveTimeoutReason, $"{exited}: a collective or the rendezvous timed out (failurePolicy.collectiveTimeoutSeconds){cause}"),
            _ => new GangFailure(FailureKind.Retryable, pod.TerminationReason == "OOMKilled" ? "OOMKilled" : "PodFailed", exited + cause),
        };
    }

    /// <summary>0 for a failure of the pod's own, higher for a pod that failed because another one did.</summary>
    private static int Consequence(GangFailure failure) => failure.Reason switch
    {
        PeerFailureReason => 2,
        CollectiveTimeoutReason => 1,
        _ => 0,
    };
}
