using k8s;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Operator.Status;
using LlamaOperator.Operator.Tests.Support;

namespace LlamaOperator.Operator.Tests.Status;

/// <summary>The status subresource write: nothing when unchanged, a fresh read and a new decision on 409 Conflict.</summary>
public sealed class StatusWriterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static JobDecision Decision(JobPhase phase, string? stage = null) =>
        new(new LlamaTrainingJobStatus { Phase = phase, Stage = stage is null ? null : new StageStatus { Name = stage } }, [], [], null);

    [Fact]
    public async Task An_unchanged_status_is_not_written()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.ApplyAsync();
        var writer = new StatusWriter(scenario.Client);
        var first = await writer.WriteAsync(await scenario.JobAsync(), Decision(JobPhase.Pending), _ => throw new InvalidOperationException("no conflict expected"), default);
        scenario.Counter.Reset();

        var second = await writer.WriteAsync(first!.Job, Decision(JobPhase.Pending), _ => throw new InvalidOperationException("no conflict expected"), default);

        Assert.True(first.Written);
        Assert.False(second!.Written);
        Assert.Empty(scenario.Counter.Writes);
    }

    [Fact]
    public async Task A_conflict_is_retried_with_a_decision_on_the_fresh_job()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.ApplyAsync();
        var stale = await scenario.JobAsync();
        var writer = new StatusWriter(scenario.Client);
        // Someone else writes first: the stale copy's resourceVersion no longer matches.
        await writer.WriteAsync(stale, Decision(JobPhase.Scheduling, "pretrain"), _ => throw new InvalidOperationException("no conflict expected"), default);
        LlamaTrainingJob? seen = null;

        var result = await writer.WriteAsync(stale, Decision(JobPhase.Running, "stale"), fresh =>
        {
            seen = fresh;
            return Task.FromResult(Decision(JobPhase.Running, fresh.Status!.Stage!.Name));
        }, default);

        Assert.Equal("pretrain", seen?.Status?.Stage?.Name); // the retry decided on what the server has
        Assert.True(result!.Written);
        var stored = await scenario.JobAsync();
        Assert.Equal(JobPhase.Running, stored.Status!.Phase);
        Assert.Equal("pretrain", stored.Status.Stage!.Name);
        Assert.Equal(ApiJson.Serialize(stored.Status), ApiJson.Serialize(result.Job.Status));
    }

    [Fact]
    public async Task A_deleted_job_ends_the_write_quietly()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.ApplyAsync();
        var job = await scenario.JobAsync();
        await scenario.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, scenario.Namespace, ApiGroup.Plural, "tiny");

        var result = await new StatusWriter(scenario.Client).WriteAsync(job, Decision(JobPhase.Running), _ => throw new InvalidOperationException("no conflict expected"), default);

        Assert.Null(result);
    }
}
