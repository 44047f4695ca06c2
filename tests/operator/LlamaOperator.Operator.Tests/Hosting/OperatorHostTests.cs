using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Tests.Support;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.LeaderElection;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Hosting;

/// <summary>Operator processes: leader election between two, and a restart in the middle of a stage transition.</summary>
public sealed class OperatorHostTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Of_two_operators_only_the_leader_reconciles_and_the_standby_takes_over_at_once_when_it_releases_the_lease()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        // A lease far longer than the takeover may take: only a released lease lets the standby in that fast.
        var election = new LeaderElectionOptions
        {
            LeaseNamespace = scenario.Namespace,
            LeaseName = "llama-operator",
            LeaseDuration = TimeSpan.FromSeconds(60),
            RenewDeadline = TimeSpan.FromSeconds(40),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        };
        await using var a = new RunningOperator(scenario.Client, RunningOperator.Options(scenario.Namespace) with { LeaderElection = election, Identity = "operator-a" }, output, "a");
        await using var b = new RunningOperator(scenario.Client, RunningOperator.Options(scenario.Namespace) with { LeaderElection = election, Identity = "operator-b" }, output, "b");
        await Eventually.HoldsAsync(() => a.Host.IsLeading || b.Host.IsLeading, "a leader");
        var (leader, standby) = a.Host.IsLeading ? (a, b) : (b, a);

        await scenario.ApplyAsync();
        await scenario.WaitForPodsAsync("pretrain", 2);

        Assert.False(standby.Host.IsLeading);
        var events = (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items.Where(e => e.InvolvedObject.Name == "tiny").ToList();
        Assert.NotEmpty(events);
        var (leaderIdentity, standbyIdentity) = leader == a ? ("operator-a", "operator-b") : ("operator-b", "operator-a");
        Assert.All(events, e => Assert.Equal(leaderIdentity, e.ReportingInstance));
        Assert.Equal(leaderIdentity, (await scenario.Client.CoordinationV1.ReadNamespacedLeaseAsync("llama-operator", scenario.Namespace)).Spec.HolderIdentity);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await leader.StopAsync();

        // Released on shutdown: no holder (or already the standby), never the stopped leader.
        var released = (await scenario.Client.CoordinationV1.ReadNamespacedLeaseAsync("llama-operator", scenario.Namespace)).Spec.HolderIdentity;
        Assert.True(string.IsNullOrEmpty(released) || released == standbyIdentity, $"holder after shutdown: {released}");
        await Eventually.HoldsAsync(() => standby.Host.IsLeading, "the standby to take over", seconds: 10);
        output.WriteLine($"the standby led {clock.Elapsed.TotalSeconds:F2} s after the leader began to stop (lease duration {election.LeaseDuration.TotalSeconds} s)");
        Assert.True(clock.Elapsed < election.LeaseDuration / 4);
        Assert.Equal(standbyIdentity, (await scenario.Client.CoordinationV1.ReadNamespacedLeaseAsync("llama-operator", scenario.Namespace)).Spec.HolderIdentity);
        await scenario.Kubelet.RunAsync();
        await scenario.WaitForPhaseAsync(JobPhase.Running);
        Assert.Equal(2, (await scenario.PodsAsync()).Count);
    }

    [Fact]
    public async Task An_operator_restarted_mid_transition_converges_without_creating_any_pod_twice()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        var first = scenario.StartOperator(output, name: "first");
        await scenario.RunPretrainAsync();
        await first.StopAsync();

        // The transition's status was written, then the operator died before any of its actions.
        await scenario.Trainer.CommitAsync("pretrain", 0, step: 488, stageEnd: true);
        await scenario.Kubelet.ExitAsync("pretrain", 0);
        var job = await scenario.JobAsync();
        job.Status!.Phase = JobPhase.Scheduling;
        job.Status.Stage = new StageStatus { Index = 1, Name = "long", Type = StageType.LongContext, SequenceLength = 512, LengthIndex = 0, StartTime = DateTime.UtcNow, StartedWith = job.Spec.Stages[1] };
        job.Status.Topology = new TopologyStatus { WorldSize = 4, Nodes = 4, Tp = 1, Cp = 4, Pp = 1, Dp = 1 };
        await new LlamaOperator.Operator.Status.StatusWriter(scenario.Client).WriteAsync(await scenario.JobAsync(), job.Status, default);

        // Every pod the cluster has or adds from here on: a pod deleted and created again under its fixed name shows twice.
        var added = new PodAdds();
        var pods = new Informer<V1Pod>("test-pods", ListerWatchers.Pods(scenario.Client, scenario.Namespace));
        pods.AddEventHandler(added);
        using var stopPods = new CancellationTokenSource();
        var watching = pods.RunAsync(stopPods.Token);
        await pods.WaitForSyncAsync(default);
        scenario.StartOperator(output, name: "second");

        await scenario.WaitForPodsAsync("long", 4);
        await Task.Delay(1000); // several more reconciles
        await stopPods.CancelAsync();
        await watching;

        var names = (await scenario.PodsAsync()).Select(p => p.Metadata.Name).ToList();
        Assert.Equal(["tiny-long-0", "tiny-long-1", "tiny-long-2", "tiny-long-3"], names);
        // Each pod added once: the exited pretrain gang's in the first list, the long gang's as they were created.
        Assert.Equal(["tiny-long-0", "tiny-long-1", "tiny-long-2", "tiny-long-3", "tiny-pretrain-0", "tiny-pretrain-1"], added.Names.Order(StringComparer.Ordinal));
        Assert.Empty((await scenario.Client.CoreV1.ListNamespacedServiceAsync(scenario.Namespace, labelSelector: $"{TrainerLabels.Stage}=pretrain")).Items);
        Assert.Equal(JobPhase.Scheduling, (await scenario.JobAsync()).Status!.Phase);
    }

    /// <summary>The names of the pods an informer saw added (its first list included).</summary>
    private sealed class PodAdds : IResourceEventHandler<V1Pod>
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _names = new();

        public IReadOnlyList<string> Names => [.. _names];

        public void OnAdd(V1Pod obj) => _names.Enqueue(obj.Metadata.Name);

        public void OnUpdate(V1Pod oldObj, V1Pod newObj)
        {
        }

        public void OnDelete(V1Pod obj)
        {
        }
    }
}
