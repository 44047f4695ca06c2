using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class GangFailureClassifierTests
{
    private static readonly ResolvedFailurePolicy Policy = new(10, 10, 600, 1800, null, [2]);

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
    [InlineData(ObservedPodPhase.Pending)]
    [InlineData(ObservedPodPhase.Running)]
    [InlineData(ObservedPodPhase.Succeeded)]
    public void Healthy_pods_are_no_failure(ObservedPodPhase phase) =>
        Assert.Null(GangFailureClassifier.Classify(new ObservedPod("p-0", "s", 0, phase, ExitCode: phase == ObservedPodPhase.Succeeded ? 0 : null), Policy));
}
