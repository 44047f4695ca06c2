using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class GangFailureClassifierTests
{
    private static readonly ResolvedFailurePolicy Policy = new(10, 10, 600, 1800, 600, null, [2]);

    [Fact]
    public void With_several_failed_pods_the_most_severe_failure_decides()
    {
        ObservedPod[] gang =
        [
            new("p-0", "s", 0, ObservedPodPhase.Failed, TerminationReason: "Evicted"),
            new("p-1", "s", 1, ObservedPodPhase.Failed, ExitCode: 1),
            new("p-2", "s", 2, ObservedPodPhase.Failed, ExitCode: 2),
            new("p-3", "s", 3, ObservedPodPhase.Running),
        ];

        Assert.Equal(FailureKind.Fatal, GangFailureClassifier.Classify(gang, Policy)!.Kind);
        Assert.Equal(FailureKind.Retryable, GangFailureClassifier.Classify(gang[..2], Policy)!.Kind);
        Assert.Equal(FailureKind.Infrastructure, GangFailureClassifier.Classify(gang[..1], Policy)!.Kind);
        Assert.Null(GangFailureClassifier.Classify(gang[3..], Policy));
    }

    [Theory]
    [InlineData(TrainerExitCodes.PeerFailure, "PeerFailure", "a peer of a collective died")]
    [InlineData(TrainerExitCodes.CollectiveTimeout, "CollectiveTimeout", "failurePolicy.collectiveTimeoutSeconds")]
    public void Collective_failures_are_retryable_with_their_own_reason(int code, string reason, string says)
    {
        var failure = GangFailureClassifier.Classify(new ObservedPod("p-1", "s", 1, ObservedPodPhase.Failed, ExitCode: code, TerminationReason: "Error"), Policy)!;

        Assert.Equal((FailureKind.Retryable, reason), (failure.Kind, failure.Reason));
        Assert.Contains($"pod p-1 (node rank 1) exited with code {code} (Error)", failure.Message);
        Assert.Contains(says, failure.Message);
    }

    [Theory]
    [InlineData(1, null, "PodFailed")]
    [InlineData(2, null, "FatalExitCode")]
    [InlineData(137, "OOMKilled", "OOMKilled")]
    [InlineData(TrainerExitCodes.CollectiveTimeout, null, "CollectiveTimeout")]
    public void The_root_cause_is_preferred_over_peers_that_saw_it_die(int code, string? terminationReason, string reason)
    {
        var finished = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
        ObservedPod[] gang =
        [
            new("p-0", "s", 0, ObservedPodPhase.Failed, ExitCode: TrainerExitCodes.PeerFailure, FinishedAt: finished),
            new("p-1", "s", 1, ObservedPodPhase.Failed, ExitCode: TrainerExitCodes.PeerFailure, FinishedAt: finished),
            new("p-2", "s", 2, ObservedPodPhase.Failed, ExitCode: code, TerminationReason: terminationReason, FinishedAt: finished.AddSeconds(1)),
            new("p-3", "s", 3, ObservedPodPhase.Running),
        ];

        var failure = GangFailureClassifier.Classify(gang, Policy)!;

        Assert.Equal(reason, failure.Reason);
        Assert.StartsWith($"pod p-2 (node rank 2) exited with code {code}", failure.Message);
        Assert.EndsWith("2 more pods of the gang failed with it (2 PeerFailure)", failure.Message);
    }

    [Fact]
    public void An_evicted_pod_is_the_root_cause_of_its_peers_failures_and_the_restart_is_not_counted()
    {
        ObservedPod[] gang =
        [
            new("p-0", "s", 0, ObservedPodPhase.Failed, ExitCode: TrainerExitCodes.PeerFailure),
            new("p-1", "s", 1, ObservedPodPhase.Failed, ExitCode: TrainerExitCodes.Interrupted, TerminationReason: "Evicted"),
        ];

        var failure = GangFailureClassifier.Classify(gang, Policy)!;

        Assert.Equal((FailureKind.Infrastructure, "Evicted"), (failure.Kind, failure.Reason));
        Assert.StartsWith("pod p-1 (node rank 1) was disrupted", failure.Message);
    }

    [Fact]
    public void Among_root_causes_of_one_class_the_first_to_finish_is_named()
    {
        var finished = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
        ObservedPod[] gang =
        [
            new("p-0", "s", 0, ObservedPodPhase.Failed, ExitCode: 1, FinishedAt: finished.AddSeconds(3)),
            new("p-1", "s", 1, ObservedPodPhase.Failed, ExitCode: 137, TerminationReason: "OOMKilled", FinishedAt: finished),
        ];

        Assert.Equal("OOMKilled", GangFailureClassifier.Classify(gang, Policy)!.Reason);
    }

    [Theory]
    [InlineData(ObservedPodPhase.Pending)]
    [InlineData(ObservedPodPhase.Running)]
    [InlineData(ObservedPodPhase.Succeeded)]
    public void Healthy_pods_are_no_failure(ObservedPodPhase phase) =>
        Assert.Null(GangFailureClassifier.Classify(new ObservedPod("p-0", "s", 0, phase, ExitCode: phase == ObservedPodPhase.Succeeded ? 0 : null), Policy));
}
