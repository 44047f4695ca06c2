using System.Net;
using LlamaOperator.DevCluster.Audit;
using LlamaOperator.DevCluster.Kubelet;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlamaOperator.DevCluster.Server;

/// <summary>The Kestrel host of the API server: plain HTTP on 127.0.0.1, a free port unless one is given.</summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<ApiServer> StartAsync(ObjectStore store, ResourceRegistry registry, PodLogBook logs, TimeProvider time, TimeSpan watchTimeout, int port, Action<AuditRecord>? audit, Serilog.ILogger log, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.AllowSynchronousIO = false;
        });
        var app = builder.Build();
        var handler = new ApiHandler(store, registry, logs, time, watchTimeout, audit, new Admission.ValidatingAdmission(store, log));
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        handler.ServerAddress = $"127.0.0.1:{uri.Port}";
        return new ApiServer(app, new Uri($"http://127.0.0.1:{uri.Port}"));
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
