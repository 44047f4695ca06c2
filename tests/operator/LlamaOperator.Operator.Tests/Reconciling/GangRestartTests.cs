using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>A failing pod restarts the whole gang from the latest checkpoint after the backoff; counters live on the job.</summary>
public sealed class GangRestartTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private static string? Generation(V1Pod pod) => pod.Spec.Containers[0].Env.Single(e => e.Name == "LLAMA_GANG_GENERATION").Value;

    [Fact]
    public async Task A_failed_pod_deletes_the_whole_gang_and_recreates_it_after_the_backoff()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync(job => job.Spec.FailurePolicy!.BackoffSeconds = 2);
        var first = await scenario.PodsAsync();
        var before = first.Select(p => p.Metadata.Uid).ToHashSet();
        Assert.All(first, p => Assert.Equal("1", Generation(p)));
        await scenario.Trainer.CommitAsync("pretrain", 0, step: 40);

        await scenario.Kubelet.ExitAsync("tiny-pretrain-1", 1, null);

        await scenario.WaitForPhaseAsync(JobPhase.Restarting);
        var restarting = await scenario.JobAsync();
        Assert.Equal(1, restarting.Status!.Restarts!.Total);
        Assert.Equal(1, restarting.Status.Restarts.Counted);
        Assert.Equal(1, Assert.Single(restarting.Status.Restarts.ByReason!).Value);
        Assert.EndsWith("checkpoints/step-0000000040", restarting.Status.LatestCheckpoint!.Uri);

        // Both pods are re-created (new uids), the healthy one too: the gang restarts as a whole.
        await Eventually.HoldsAsync(
            async () => (await scenario.PodsAsync()) is { Count: 2 } pods && pods.All(p => !before.Contains(p.Metadata.Uid)),
            "a new gang of 2 pods");
        var recreated = await scenario.JobAsync();
        Assert.Equal(JobPhase.Scheduling, recreated.Status!.Phase);
        Assert.All(await scenario.PodsAsync(), p => Assert.Equal("2", Generation(p))); // a rendezvous of the new gang differs from the old one's
        // Created no sooner than the backoff after the restart (both times as the API server stores them, to the second).
        var restartTime = recreated.Status.Restarts!.LastRestartTime!.Value;
        Assert.All(await scenario.PodsAsync(), p => Assert.True(p.Metadata.CreationTimestamp >= restartTime.AddSeconds(2), $"{p.Metadata.Name} created {p.Metadata.CreationTimestamp:O}, restart {restartTime:O}"));

        await scenario.Kubelet.RunAsync();
        await scenario.WaitForPhaseAsync(JobPhase.Running);
        Assert.Equal(1, (await scenario.JobAsync()).Status!.Restarts!.Total); // the counter survived the pods' re-creation
    }

    [Fact]
    public async Task An_evicted_pod_restarts_the_gang_without_counting_against_max_restarts()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();

        await scenario.Kubelet.ExitAsync("tiny-pretrain-0", 137, "Evicted");

        await Eventually.HoldsAsync(async () => (await scenario.JobAsync()).Status?.Restarts?.Total == 1, "one restart");
        var restarts = (await scenario.JobAsync()).Status!.Restarts!;
        Assert.Equal(0, restarts.Counted);
        Assert.Equal("Evicted", Assert.Single(restarts.ByReason!).Key);
    }
}
