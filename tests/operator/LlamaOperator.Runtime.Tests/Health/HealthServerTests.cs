using System.Net;
using LlamaOperator.Runtime.Health;
using LlamaOperator.Runtime.Queue;

namespace LlamaOperator.Runtime.Tests.Health;

public class HealthServerTests
{
    [Fact]
    public async Task Probes_and_metrics_answer_over_http()
    {
        var metrics = new TestMetrics();
        using var queue = new WorkQueue<string>("health-test", new WorkQueueOptions<string> { Metrics = new WorkQueueMetrics(metrics.Factory) });
        queue.Add("x");
        var readiness = new ReadinessGate();
        var synced = false;
        var registration = readiness.Register("informer gadgets", () => synced);
        await using var server = await HealthServer.StartAsync("http://127.0.0.1:0", readiness, metrics.Registry);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        var notReady = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("informer gadgets", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        synced = true;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Contains("workqueue_depth{name=\"health-test\"} 1", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);

        synced = false;
        registration.Dispose(); // e.g. the term ended: a standby is ready
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void A_throwing_check_counts_as_not_ready()
    {
        var readiness = new ReadinessGate();
        using var ok = readiness.Register("ok", () => true);
        using var broken = readiness.Register("broken", () => throw new InvalidOperationException());

        Assert.Equal(["broken"], readiness.NotReady());
    }
}
