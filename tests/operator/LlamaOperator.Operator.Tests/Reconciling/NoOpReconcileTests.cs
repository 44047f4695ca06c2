using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>A reconcile that finds everything as decided writes nothing to the API server.</summary>
public sealed class NoOpReconcileTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Reconciles_of_a_steady_running_job_make_no_api_writes()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        scenario.StartOperator(output, RunningOperator.Options(scenario.Namespace, registry));
        await scenario.Trainer.HeartbeatAsync("pretrain", 0, step: 12, tokensPerSecond: 5000);
        await scenario.Trainer.CommitAsync("pretrain", 0, step: 10);
        await scenario.RunPretrainAsync();
        await Eventually.HoldsAsync(async () => (await scenario.JobAsync()).Status?.Progress?.Step == 12, "the heartbeat in status");
        // Settled once 3 reconciles in a row wrote nothing: the last writes' own reconciles and background event writes are done.
        await Eventually.HoldsAsync(
            async () =>
            {
                scenario.Counter.Reset();
                var before = await MetricsText.SumAsync(registry, "controller_reconcile_total");
                await Eventually.HoldsAsync(async () => await MetricsText.SumAsync(registry, "controller_reconcile_total") >= before + 3, "3 more reconciles");
                return scenario.Counter.Writes.Count == 0;
            },
            "3 reconciles in a row without writes");

        scenario.Counter.Reset();
        var reconcilesBefore = await MetricsText.SumAsync(registry, "controller_reconcile_total");
        await Eventually.HoldsAsync(async () => await MetricsText.SumAsync(registry, "controller_reconcile_total") >= reconcilesBefore + 10, "10 more reconciles (progress polls)");

        Assert.Empty(scenario.Counter.Writes);
        var job = await scenario.JobAsync();
        Assert.Equal(JobPhase.Running, job.Status!.Phase);
        Assert.Equal(5000, job.Status.Progress!.TokensPerSecond);
        Assert.EndsWith("step-0000000010", job.Status.LatestCheckpoint!.Uri);
        Assert.Equal(5000, await MetricsText.SumAsync(registry, "llamaop_job_tokens_per_second", "job=\"tiny\""));
        Assert.Equal(1, await MetricsText.SumAsync(registry, "llamaop_jobs", "phase=\"Running\""));
    }
}
