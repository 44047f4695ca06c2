using k8s;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>A pod stuck Terminating on a node that went NotReady is force-deleted, and its gang restarts without counting it.</summary>
public sealed class LostNodeTests(SchedulingClusterFixture fixture, ITestOutputHelper output) : IClassFixture<SchedulingClusterFixture>
{
    [Fact]
    public async Task A_pod_stuck_terminating_on_a_lost_node_is_force_deleted_and_the_gang_recreated()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        var options = RunningOperator.Options(scenario.Namespace) with
        {
            Reconciler = RunningOperator.Options(scenario.Namespace).Reconciler with { Lifecycle = new LifecycleSettings(TimeSpan.FromSeconds(1)) },
        };
        scenario.StartOperator(output, options);
        await scenario.ApplyAsync(job => job.Spec.Stages[0].Parallelism!.Dp = 1);
        await Eventually.HoldsAsync(async () => (await scenario.PodsAsync()) is [{ Spec.NodeName: not null }], "the pod bound to a node");
        var pod = (await scenario.PodsAsync()).Single();
        await scenario.Kubelet.RunAsync();
        await scenario.WaitForPhaseAsync(JobPhase.Running);

        // A drain starts on the node (graceful delete), then the node stops answering: no kubelet will confirm the deletion.
        await scenario.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, scenario.Namespace, gracePeriodSeconds: 1);
        fixture.Cluster.SetNodeReady(pod.Spec.NodeName, false);

        await Eventually.HoldsAsync(
            async () => (await scenario.PodsAsync()) is [{ } replacement] && replacement.Metadata.Uid != pod.Metadata.Uid,
            "the stuck pod force-deleted and a new one created");
        var events = (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items;
        Assert.Contains(events, e => e.Reason == "ForceDeletedPod" && e.Message.Contains(pod.Metadata.Name, StringComparison.Ordinal));
        var restarts = (await scenario.JobAsync()).Status!.Restarts!;
        Assert.Equal(1, restarts.Total);
        Assert.Equal(0, restarts.Counted);
    }
}
