using k8s;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>What users do to a running job: suspend and resume it, edit its spec (badly).</summary>
public sealed class JobControlTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Suspend_deletes_the_gang_and_resume_recreates_it()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();

        await TestJobs.PatchSpecAsync(scenario.Client, scenario.Namespace, """{"suspend":true}""");

        await scenario.WaitForPhaseAsync(JobPhase.Suspended);
        await Eventually.HoldsAsync(async () => (await scenario.PodsAsync()).Count == 0, "the gang deleted");
        Assert.Contains((await scenario.JobAsync()).Status!.Conditions!, c => c.Type == "Suspended" && c.Status == "True");

        await TestJobs.PatchSpecAsync(scenario.Client, scenario.Namespace, """{"suspend":false}""");

        await scenario.WaitForPodsAsync("pretrain", 2);
        var resumed = await scenario.JobAsync();
        Assert.Equal(JobPhase.Scheduling, resumed.Status!.Phase);
        Assert.Equal(0, resumed.Status.Restarts?.Total ?? 0); // a suspension is not a restart
    }

    [Fact]
    public async Task An_invalid_edit_is_refused_in_status_and_the_running_gang_is_untouched()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();
        var gang = (await scenario.PodsAsync()).Select(p => p.Metadata.Uid).Order().ToList();

        // Passes the CRD schema, fails the operator's rules: 2,000 tokens per batch do not divide into 256-token sequences.
        await TestJobs.PatchSpecAsync(scenario.Client, scenario.Namespace, """
            {"stages":[
              {"name":"pretrain","type":"Pretrain","tokens":1000000,"sequenceLength":256,"batchTokens":2000,"parallelism":{"dp":2}}
            ]}
            """);

        await Eventually.HoldsAsync(
            async () => (await scenario.JobAsync()).Status?.Conditions?.Any(c => c.Type == "SpecRejected" && c.Status == "True") == true,
            "SpecRejected=True");
        var job = await scenario.JobAsync();
        var rejected = job.Status!.Conditions!.Single(c => c.Type == "SpecRejected");
        Assert.Contains("batchTokens", rejected.Message);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
        await Task.Delay(500); // several reconciles
        Assert.Equal(gang, (await scenario.PodsAsync()).Select(p => p.Metadata.Uid).Order().ToList());
    }

    [Fact]
    public async Task A_fatal_exit_fails_the_job_and_its_ttl_deletes_it_with_its_children()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync(job => job.Spec.TtlSecondsAfterFinished = 1);

        await scenario.Kubelet.ExitAsync("tiny-pretrain-0", 2, null); // exit code 2: fatal by default

        await scenario.WaitForPhaseAsync(JobPhase.Failed);
        Assert.Contains((await scenario.JobAsync()).Status!.Conditions!, c => c.Type == "Failed" && c.Status == "True");
        await Eventually.HoldsAsync(
            async () => (await scenario.Client.CustomObjects.ListNamespacedCustomObjectAsync<LlamaTrainingJobList>(ApiGroup.Group, ApiGroup.Version, scenario.Namespace, ApiGroup.Plural)).Items.Count == 0,
            "the job deleted after its TTL");
        await Eventually.HoldsAsync(async () => (await scenario.PodsAsync()).Count == 0, "its pods garbage-collected");
    }
}
