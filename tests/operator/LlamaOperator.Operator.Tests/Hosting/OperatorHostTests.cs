using k8s;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Tests.Support;
using LlamaOperator.Runtime.LeaderElection;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Hosting;

/// <summary>Operator processes: leader election between two, and a restart in the middle of a stage transition.</summary>
public sealed class OperatorHostTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Of_two_operators_only_the_leader_reconciles_and_the_standby_takes_over()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        var election = new LeaderElectionOptions
        {
            LeaseNamespace = scenario.Namespace,
            LeaseName = "llama-operator",
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1.5),
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
        var leaderIdentity = leader == a ? "operator-a" : "operator-b";
        Assert.All(events, e => Assert.Equal(leaderIdentity, e.ReportingInstance));

        await leader.StopAsync();
        await Eventually.HoldsAsync(() => standby.Host.IsLeading, "the standby to take over");
        await scenario.Kubelet.RunAsync();
        await scenario.WaitForPhaseAsync(JobPhase.Running);
        Assert.Equal(2, (await scenario.PodsAsync()).Count);
    }

    [Fact]
    public async Task An_operator_restarted_mid_transition_converges_without_duplicate_pods()
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
        await new LlamaOperator.Operator.Status.StatusWriter(scenario.Client).WriteAsync(
            await scenario.JobAsync(), new(job.Status, [], [], null), _ => throw new InvalidOperationException(), default);

        scenario.StartOperator(output, name: "second");

        await scenario.WaitForPodsAsync("long", 4);
        await Task.Delay(500); // several more reconciles
        var pods = await scenario.PodsAsync();
        Assert.Equal(["tiny-long-0", "tiny-long-1", "tiny-long-2", "tiny-long-3"], pods.Select(p => p.Metadata.Name));
        Assert.Empty((await scenario.Client.CoreV1.ListNamespacedServiceAsync(scenario.Namespace, labelSelector: $"{TrainerLabels.Stage}=pretrain")).Items);
        Assert.Equal(JobPhase.Scheduling, (await scenario.JobAsync()).Status!.Phase);
    }
}
