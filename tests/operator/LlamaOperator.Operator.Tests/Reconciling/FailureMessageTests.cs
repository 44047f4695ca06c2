using k8s;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>Failures explain themselves where a user looks: the job's conditions and its events (`kubectl describe ltj`).</summary>
public sealed class FailureMessageTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    private static async Task<IReadOnlyList<k8s.Models.Corev1Event>> EventsAsync(JobScenario scenario, string reason) =>
        [.. (await scenario.Client.CoreV1.ListNamespacedEventAsync(scenario.Namespace)).Items.Where(e => e.Reason == reason && e.InvolvedObject.Name == "tiny")];

    [Fact]
    public async Task A_fatal_exits_termination_message_reaches_the_failed_condition_and_the_event()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.RunPretrainAsync();
        const string cause = "/data/general: no prepared data (index.json not found); run `llama-train prepare-data` into it, or give the source prepareFrom";

        await scenario.Kubelet.ExitAsync("tiny-pretrain-0", 2, null, cause + "\n");

        await scenario.WaitForPhaseAsync(JobPhase.Failed);
        var failed = (await scenario.JobAsync()).Status!.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal("FatalExitCode", failed.Reason);
        Assert.EndsWith($"listed in failurePolicy.fatalExitCodes: \"{cause}\"", failed.Message);
        var events = await Eventually.GetAsync(() => EventsAsync(scenario, "FatalExitCode"), e => e.Count == 1, "a FatalExitCode event");
        Assert.Equal(failed.Message, events[0].Message);
        Assert.Equal("Warning", events[0].Type);
    }

    [Fact]
    public async Task A_container_that_cannot_be_created_shows_a_condition_naming_it_and_counts_no_restart()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        scenario.StartOperator(output);
        await scenario.ApplyAsync();
        await scenario.WaitForPodsAsync("pretrain", 2);
        const string missing = "exec: \"llama-train\": executable file not found in $PATH";

        await scenario.Kubelet.CannotCreateAsync("tiny-pretrain-1", "CreateContainerError", missing);

        var condition = await Eventually.GetAsync(
            async () => (await scenario.JobAsync()).Status?.Conditions?.SingleOrDefault(c => c.Type == ConditionTypes.ContainerStartFailure),
            c => c?.Status == "True", "condition ContainerStartFailure");
        Assert.Equal("CreateContainerError", condition!.Reason);
        Assert.StartsWith($"pod tiny-pretrain-1 (node rank 1) cannot start its container (CreateContainerError): {missing}", condition.Message);
        Assert.Single(await Eventually.GetAsync(() => EventsAsync(scenario, "CreateContainerError"), e => e.Count > 0, "a CreateContainerError event"));
        var job = await scenario.JobAsync();
        Assert.Equal(JobPhase.Scheduling, job.Status!.Phase);
        Assert.Equal(0, job.Status.Restarts?.Total ?? 0);
        Assert.Equal(2, (await scenario.PodsAsync()).Count(p => p.Metadata.DeletionTimestamp is null)); // the gang was left alone
    }
}
