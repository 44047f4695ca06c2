using k8s;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>A job applied to the API server gets its first stage's gang, and runs once every pod runs.</summary>
public sealed class JobStartupTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task An_applied_job_gets_its_first_stage_gang_and_runs_once_every_pod_runs()
    {
        using var checkpoints = new TempFolder();
        var ns = await fixture.NewNamespaceAsync();
        using var client = fixture.Client();
        await using var op = new RunningOperator(client, RunningOperator.Options(ns), output);
        var kubelet = new FakeKubelet(client, ns);

        await TestJobs.CreateAsync(client, TestJobs.ThreeStages(ns, checkpoints.Path));

        await Eventually.HoldsAsync(async () => (await kubelet.PodsAsync()).Count == 2, "the pretrain gang of 2 pods");
        var job = await TestJobs.GetAsync(client, ns);
        Assert.Equal(JobPhase.Scheduling, job.Status!.Phase);
        Assert.Equal("pretrain", job.Status.Stage!.Name);
        Assert.Equal(2, job.Status.Topology!.Dp);

        var pods = await kubelet.PodsAsync();
        Assert.Equal(["tiny-pretrain-0", "tiny-pretrain-1"], pods.Select(p => p.Metadata.Name));
        Assert.All(pods, pod =>
        {
            Assert.Equal(job.Metadata.Uid, Assert.Single(pod.Metadata.OwnerReferences).Uid);
            Assert.Equal("pretrain", pod.Metadata.Labels[TrainerLabels.Stage]);
            Assert.Equal("tiny-pretrain", pod.Metadata.Labels[TrainerLabels.CoschedulingPodGroup]);
            Assert.Equal(["llama-train", "train", "--job", "/etc/llamaop/job.json", "--stage", "pretrain"], pod.Spec.Containers[0].Command);
        });
        var service = await client.CoreV1.ReadNamespacedServiceAsync("tiny-pretrain", ns);
        Assert.Equal("None", service.Spec.ClusterIP);
        var configMap = await client.CoreV1.ReadNamespacedConfigMapAsync("tiny-pretrain-job", ns);
        Assert.Contains("\"pretrain\"", configMap.Data[TrainerPodTemplate.JobConfigFile]);
        var group = await client.CustomObjects.GetNamespacedCustomObjectAsync<PodGroup>("scheduling.x-k8s.io", "v1alpha1", ns, "podgroups", "tiny-pretrain");
        Assert.Equal(2, group.Spec.MinMember);
        Assert.Equal(job.Metadata.Uid, Assert.Single(group.Metadata.OwnerReferences).Uid);

        await kubelet.RunAsync();

        await Eventually.HoldsAsync(async () => (await TestJobs.GetAsync(client, ns)).Status?.Phase == JobPhase.Running, "phase Running");
        var events = await client.CoreV1.ListNamespacedEventAsync(ns);
        Assert.Contains(events.Items, e => e.Reason == "StageStarted" && e.InvolvedObject.Name == "tiny");
        Assert.Contains(events.Items, e => e.Reason == "GangRunning");
    }
}
