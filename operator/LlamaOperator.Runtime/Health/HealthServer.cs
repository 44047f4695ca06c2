using LlamaOperator.Runtime.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace LlamaOperator.Runtime.Health;

/// <summary>
/// The probe and scrape endpoints: /healthz (the process serves requests), /readyz (every readiness check
/// passes, else 503 naming the failing ones) and /metrics (prometheus-net), on a small Kestrel server.
/// </summary>
public sealed class HealthServer : IAsyncDisposable
{
    private readonly KestrelApp _app;

    private HealthServer(KestrelApp app) => _app = app;

    public Uri BaseUrl => _app.BaseUrl;

    /// <param name="url">Where to listen, e.g. "http://0.0.0.0:8081"; port 0 picks a free port.</param>
    /// <param name="metrics">The registry /metrics exports; the default registry when null.</param>
    public static async Task<HealthServer> StartAsync(string url, ReadinessGate readiness, CollectorRegistry? metrics = null, CancellationToken cancellationToken = default)
    {
        return new HealthServer(await KestrelApp.StartAsync(url, configure: null, app =>
        {
            app.MapGet("/healthz", () => Results.Text("ok"));
            app.MapGet("/readyz", () =>
            {
                var failing = readiness.NotReady();
                return failing.Count == 0
                    ? Results.Text("ok")
                    : Results.Text("not ready: " + string.Join(", ", failing), statusCode: StatusCodes.Status503ServiceUnavailable);
            });
            app.MapMetrics("/metrics", metrics);
        }, cancellationToken));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
