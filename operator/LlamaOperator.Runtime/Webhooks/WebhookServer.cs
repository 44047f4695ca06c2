using LlamaOperator.Runtime.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace LlamaOperator.Runtime.Webhooks;

/// <summary>
/// The admission webhooks on an HTTPS Kestrel server: each path takes POSTed AdmissionReviews and answers with the
/// review function's verdict (<see cref="AdmissionReview.Handle"/>). Every replica serves, leader or not.
/// </summary>
public sealed class WebhookServer : IAsyncDisposable
{
    private readonly KestrelApp _app;

    private WebhookServer(KestrelApp app) => _app = app;

    public Uri BaseUrl => _app.BaseUrl;

    /// <param name="url">Where to listen, e.g. "https://0.0.0.0:9443"; port 0 picks a free port.</param>
    /// <param name="reviews">Path (e.g. "/validate-llamatrainingjob") -> the review of one request.</param>
    public static async Task<WebhookServer> StartAsync(string url, WebhookCertificate certificate, IReadOnlyDictionary<string, Func<AdmissionRequest, AdmissionVerdict>> reviews, Serilog.ILogger log, CancellationToken cancellationToken = default)
    {
        if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"the webhook address must be https://HOST:PORT (the API server calls webhooks over TLS only), not {url}", nameof(url));
        }

        return new WebhookServer(await KestrelApp.StartAsync(url, Https, Map, cancellationToken));

        void Https(WebApplicationBuilder builder)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => certificate.Current()));
        }

        void Map(WebApplication app)
        {
            foreach (var (path, review) in reviews)
            {
                app.MapPost(path, async (HttpContext context) =>
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    using var reader = new StreamReader(context.Request.Body);
                    var body = await reader.ReadToEndAsync(context.RequestAborted);
                    var (status, answer, request, verdict) = AdmissionReview.Handle(body, review);
                    var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (request is null || verdict is null)
                    {
                        log.Warning("Webhook {Path} answered 400 to a malformed AdmissionReview: {Reason}", path, answer);
                    }
                    else if (verdict.Allowed)
                    {
                        log.Debug("Webhook {Path} allowed {Operation} of {Namespace}/{Name} in {ElapsedMs:F1} ms", path, request.Operation, request.Namespace, request.Name, elapsed);
                    }
                    else
                    {
                        log.Information("Webhook {Path} denied {Operation} of {Namespace}/{Name} by {User} in {ElapsedMs:F1} ms: {Message}", path, request.Operation, request.Namespace, request.Name, request.UserName, elapsed, verdict.Message);
                    }

                    context.Response.StatusCode = status;
                    context.Response.ContentType = status == 200 ? "application/json" : "text/plain";
                    await context.Response.WriteAsync(answer, context.RequestAborted);
                });
            }

        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
