using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace LlamaOperator.Runtime.Health;

/// <summary>
/// The probe and scrape endpoints: /healthz (the process serves requests), /readyz (every readiness check
/// passes, else 503 naming the failing ones) and /metrics (prometheus-net), on a small Kestrel server.
/// </summary>
public sealed class HealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HealthServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <param name="url">Where to listen, e.g. "http://0.0.0.0:8081"; port 0 picks a free port.</param>
    /// <param name="metrics">The registry /metrics exports; the default registry when null.</param>
    public static async Task<HealthServer> StartAsync(string url, ReadinessGate readiness, CollectorRegistry? metrics = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", () =>
        {
            var failing = readiness.NotReady();
            return failing.Count == 0
                ? Results.Text("ok")
                : Results.Text("not ready: " + string.Join(", ", failing), statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapMetrics("/metrics", metrics);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new HealthServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
