using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Tests.Support;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Reconciling;

/// <summary>A write that meets 409 Conflict is not retried with the same decision: the job is requeued and decided anew.</summary>
public sealed class ConflictTests(ClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task A_status_write_refused_with_409_requeues_the_job_with_backoff_and_the_next_reconcile_writes_it()
    {
        await using var scenario = await JobScenario.CreateAsync(fixture);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        scenario.Counter.ConflictOnce("/status");
        scenario.StartOperator(output, RunningOperator.Options(scenario.Namespace, registry));

        await scenario.RunPretrainAsync();

        Assert.EndsWith("/llamatrainingjobs/tiny/status", await scenario.Counter.Conflicted);
        Assert.Equal(1, await MetricsText.SumAsync(registry, "controller_reconcile_total", "result=\"requeue\""));
        Assert.Equal(0, await MetricsText.SumAsync(registry, "controller_reconcile_errors_total"));
        Assert.Equal(JobPhase.Running, (await scenario.JobAsync()).Status!.Phase);
        Assert.Equal(2, (await scenario.PodsAsync("pretrain")).Count); // the gang was created once, after the retried write
    }
}
