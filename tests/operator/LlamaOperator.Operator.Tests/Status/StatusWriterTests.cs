using System.Net;
using k8s;
using k8s.Autorest;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Status;
using LlamaOperator.Operator.Tests.Support;

namespace LlamaOperator.Operator.Tests.Status;

/// <summary>The status subresource write: nothing when unchanged, a 409 Conflict handed back (the reconcile is retried on a fresh observation).</summary>
public sealed class StatusWriterTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static LlamaTrainingJobStatus Status(JobPhase phase, string? stage = null) =>
        new() { Phase = phase, Stage = stage is null ? null : new StageStatus { Name = stage } };

    [Fact]
    public async Task An_unchanged_status_is_not_written()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.ApplyAsync();
        var writer = new StatusWriter(scenario.Client);
        var first = await writer.WriteAsync(await scenario.JobAsync(), Status(JobPhase.Pending), default);
        scenario.Counter.Reset();

        var second = await writer.WriteAsync(first!.Job, Status(JobPhase.Pending), default);

        Assert.True(first.Written);
        Assert.False(second!.Written);
        Assert.Empty(scenario.Counter.Writes);
    }

    [Fact]
    public async Task A_conflict_is_handed_back_and_the_newer_status_stands()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.ApplyAsync();
        var stale = await scenario.JobAsync();
        var writer = new StatusWriter(scenario.Client);
        // Someone else writes first: the stale copy's resourceVersion no longer matches.
        await writer.WriteAsync(stale, Status(JobPhase.Scheduling, "pretrain"), default);

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => writer.WriteAsync(stale, Status(JobPhase.Running, "stale"), default));

        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        var stored = await scenario.JobAsync();
        Assert.Equal((JobPhase.Scheduling, "pretrain"), (stored.Status!.Phase, stored.Status.Stage!.Name));
    }

    [Fact]
    public async Task A_deleted_job_ends_the_write_quietly()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        await scenario.ApplyAsync();
        var job = await scenario.JobAsync();
        await scenario.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ApiGroup.Group, ApiGroup.Version, scenario.Namespace, ApiGroup.Plural, "tiny");

        var result = await new StatusWriter(scenario.Client).WriteAsync(job, Status(JobPhase.Running), default);

        Assert.Null(result);
    }
}
