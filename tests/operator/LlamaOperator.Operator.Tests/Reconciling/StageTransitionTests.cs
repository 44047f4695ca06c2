using k8s;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Tests.Support;
using LlamaTrainer.Storage.Checkpoints;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>
/// The job through every stage with a fake trainer: stage-end checkpoints written to the local store and pods
/// exiting 0 move it to the next stage's gang with that stage's layout, then averaging, then Succeeded.
/// </summary>
public sealed class StageTransitionTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private static readonly CheckpointEvals Passing = new()
    {
        ShortContextLoss = 2.0,
        BaselineShortContextLoss = 2.0,
        Needle = [new NeedleResult(512, 1.0, 10), new NeedleResult(1024, 0.95, 10)],
    };

    [Fact]
    public async Task A_finished_stage_is_replaced_by_the_next_stage_gang_with_its_own_layout()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();

        await scenario.Trainer.CommitAsync("pretrain", 0, step: 488, stageEnd: true);
        await scenario.Kubelet.ExitAsync("pretrain", 0);

        await scenario.WaitForPodsAsync("long", 4);
        var job = await scenario.JobAsync();
        Assert.Equal(JobPhase.Scheduling, job.Status!.Phase);
        Assert.Equal("long", job.Status.Stage!.Name);
        Assert.Equal(4, job.Status.Topology!.Cp);
        Assert.Equal(4, job.Status.Topology.Nodes);
        Assert.EndsWith("step-0000000488", job.Status.LatestCheckpoint!.Uri);
        var pods = await scenario.PodsAsync("long");
        Assert.All(pods, p => Assert.Equal(["--stage", "long", "--length-index", "0"], p.Spec.Containers[0].Command.Skip(4)));
        Assert.All(pods, p => Assert.Equal("4", p.Spec.Containers[0].Env.Single(e => e.Name == "LLAMA_CP").Value));
        var group = await scenario.Client.CustomObjects.GetNamespacedCustomObjectAsync<PodGroup>("scheduling.x-k8s.io", "v1alpha1", scenario.Namespace, "podgroups", "tiny-long");
        Assert.Equal(4, group.Spec.MinMember);
        // The finished stage's objects are gone.
        Assert.DoesNotContain((await scenario.Client.CoreV1.ListNamespacedServiceAsync(scenario.Namespace)).Items, s => s.Metadata.Name == "tiny-pretrain");
        Assert.DoesNotContain((await scenario.Client.CoreV1.ListNamespacedConfigMapAsync(scenario.Namespace)).Items, c => c.Metadata.Name == "tiny-pretrain-job");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_job_goes_through_both_lengths_anneal_and_averaging_to_succeeded()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();
        var trainer = scenario.Trainer;
        var kubelet = scenario.Kubelet;

        await trainer.CommitAsync("pretrain", 0, step: 488, stageEnd: true);
        await kubelet.ExitAsync("pretrain", 0);
        await scenario.WaitForPodsAsync("long", 4);
        await kubelet.RunAsync("long");
        await scenario.WaitForPhaseAsync(JobPhase.Running);

        // Length 512 passes its gate: the same stage's next length gets a new gang (same pod names, --length-index 1).
        var first = (await scenario.PodsAsync("long")).Select(p => p.Metadata.Uid).ToHashSet();
        await trainer.CommitAsync("long", 1, step: 537, stageEnd: true, lengthIndex: 0, evals: Passing);
        await kubelet.ExitAsync("long", 0);
        await Eventually.HoldsAsync(
            async () => (await scenario.PodsAsync("long")) is { Count: 4 } pods && pods.All(p => !first.Contains(p.Metadata.Uid)),
            "the gang of the second length");
        Assert.All(await scenario.PodsAsync("long"), p => Assert.Equal("1", p.Spec.Containers[0].Command[^1]));
        Assert.Equal(1024, (await scenario.JobAsync()).Status!.Stage!.SequenceLength);
        await kubelet.RunAsync("long");
        await scenario.WaitForPhaseAsync(JobPhase.Running);

        await trainer.CommitAsync("long", 1, step: 586, stageEnd: true, lengthIndex: 1, evals: Passing);
        await kubelet.ExitAsync("long", 0);
        await scenario.WaitForPodsAsync("anneal", 1);
        await kubelet.RunAsync("anneal");
        await scenario.WaitForPhaseAsync(JobPhase.Running);

        await trainer.CommitAsync("anneal", 2, step: 635, stageEnd: true);
        await kubelet.ExitAsync("anneal", 0);
        await scenario.WaitForPhaseAsync(JobPhase.Averaging);
        await Eventually.HoldsAsync(async () => (await scenario.PodsAsync()).Any(p => p.Metadata.Name == "tiny-average"), "the averaging pod");
        var averaging = (await scenario.PodsAsync()).Single();
        Assert.Equal(["llama-train", "average", "--job", "/etc/llamaop/job.json", "--stage", "anneal", "--count", "2"], averaging.Spec.Containers[0].Command);
        Assert.Equal(TrainerLabels.AveragingRole, averaging.Metadata.Labels[TrainerLabels.Role]);
        await scenario.Client.CoreV1.ReadNamespacedConfigMapAsync("tiny-average-job", scenario.Namespace);

        await trainer.CommitAsync("anneal", 2, step: 635, root: CheckpointStore.FinalFolder);
        await kubelet.ExitAsync("tiny-average", 0, null);

        await scenario.WaitForPhaseAsync(JobPhase.Succeeded);
        var done = await scenario.JobAsync();
        Assert.EndsWith("final/step-0000000635", done.Status!.FinalModel);
        Assert.Contains(done.Status.Conditions!, c => c.Type == "Complete" && c.Status == "True");
    }
}
