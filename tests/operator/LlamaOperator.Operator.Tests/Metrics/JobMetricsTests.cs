using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Metrics;
using LlamaOperator.Operator.Tests.Support;
using LlamaOperator.Runtime.Caching;

namespace LlamaOperator.Operator.Tests.Metrics;

public class JobMetricsTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    private static LlamaTrainingJobStatus Status(JobPhase phase, long tokens = 0, long tokensPerSecond = 0, Dictionary<string, int>? restarts = null) => new()
    {
        Phase = phase,
        StartTime = Now.AddSeconds(-100),
        Progress = new ProgressStatus { Tokens = tokens, TokensPerSecond = tokensPerSecond },
        Restarts = restarts is null ? null : new RestartStatus { ByReason = restarts },
    };

    [Fact]
    public async Task Jobs_are_counted_by_phase_with_throughput_goodput_and_restarts_per_job()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new JobMetrics(Prometheus.Metrics.WithCustomRegistry(registry));

        metrics.Observe(new ObjectKey("a", "one"), Status(JobPhase.Running, tokens: 50_000, tokensPerSecond: 800, restarts: new() { ["PodFailed"] = 2, ["NodeLost"] = 1 }), Now);
        metrics.Observe(new ObjectKey("a", "two"), Status(JobPhase.Running), Now);
        metrics.Observe(new ObjectKey("b", "three"), Status(JobPhase.Suspended), Now);

        Assert.Equal(2, await MetricsText.SumAsync(registry, "llamaop_jobs", "phase=\"Running\""));
        Assert.Equal(1, await MetricsText.SumAsync(registry, "llamaop_jobs", "phase=\"Suspended\""));
        Assert.Equal(800, await MetricsText.SumAsync(registry, "llamaop_job_tokens_per_second", "job=\"one\""));
        Assert.Equal(500, await MetricsText.SumAsync(registry, "llamaop_job_goodput_tokens_per_second", "job=\"one\"")); // 50,000 tokens in 100 s
        Assert.Equal(2, await MetricsText.SumAsync(registry, "llamaop_job_restarts", "reason=\"PodFailed\""));
    }

    [Fact]
    public async Task A_deleted_job_leaves_no_series_and_moves_out_of_its_phase()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new JobMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        var key = new ObjectKey("a", "one");
        metrics.Observe(key, Status(JobPhase.Running, tokensPerSecond: 800, restarts: new() { ["PodFailed"] = 2 }), Now);

        metrics.Forget(key);

        var text = await MetricsText.ExportAsync(registry);
        Assert.DoesNotContain("job=\"one\"", text);
        Assert.Equal(0, await MetricsText.SumAsync(registry, "llamaop_jobs", "phase=\"Running\""));
    }

    [Fact]
    public async Task A_job_that_changes_phase_is_counted_in_its_new_phase_only()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new JobMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        var one = new ObjectKey("a", "one");
        metrics.Observe(one, Status(JobPhase.Running), Now);
        metrics.Observe(new ObjectKey("a", "two"), Status(JobPhase.Running), Now);

        metrics.Observe(one, Status(JobPhase.Running), Now);
        metrics.Observe(one, Status(JobPhase.Succeeded), Now);

        Assert.Equal(1, await MetricsText.SumAsync(registry, "llamaop_jobs", "phase=\"Running\""));
        Assert.Equal(1, await MetricsText.SumAsync(registry, "llamaop_jobs", "phase=\"Succeeded\""));
        Assert.Contains("llamaop_jobs{phase=\"Failed\"} 0", await MetricsText.ExportAsync(registry));
    }
}
