using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlamaOperator.DevCluster.Tests.Admission;

/// <summary>
/// A validating webhook on HTTPS 127.0.0.1 with a certificate signed by a CA of its own (the caBundle): it records
/// every AdmissionReview and answers with <see cref="Answer"/>'s response.
/// </summary>
public sealed class TestWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebhook(WebApplication app, Uri url, string caBundle)
    {
        _app = app;
        Url = url;
        CaBundle = caBundle;
    }

    public Uri Url { get; }

    /// <summary>base64 of the CA's PEM, as clientConfig.caBundle holds it.</summary>
    public string CaBundle { get; }

    public ConcurrentQueue<JsonObject> Reviews { get; } = new();

    /// <summary>The response (without uid, which is echoed) for a request; allowed by default.</summary>
    public Func<JsonObject, JsonObject> Answer { get; set; } = _ => new JsonObject { ["allowed"] = true };

    public TimeSpan Delay { get; set; }

    public static async Task<TestWebhook> StartAsync()
    {
        var (certificate, caPem) = Certificates();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        TestWebhook? self = null;
        app.MapPost("/validate", async (HttpContext context) =>
        {
            var review = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
            self!.Reviews.Enqueue(review);
            await Task.Delay(self.Delay);
            var response = self.Answer((JsonObject)review["request"]!);
            response["uid"] = (string?)review["request"]!["uid"];
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response }.ToJsonString());
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new TestWebhook(app, new Uri($"https://127.0.0.1:{address.Port}/validate"), Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem)));
        return self;
    }

    /// <summary>A ValidatingWebhookConfiguration for widgets.example.dev on CREATE and UPDATE.</summary>
    public JsonObject Configuration(string name, string failurePolicy = "Fail", int timeoutSeconds = 10, string? caBundle = null, string? url = null, JsonObject? namespaceSelector = null, JsonObject? objectSelector = null)
    {
        var webhook = new JsonObject
        {
            ["name"] = "widgets.example.dev",
            ["clientConfig"] = new JsonObject { ["url"] = url ?? Url.ToString(), ["caBundle"] = caBundle ?? CaBundle },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["apiGroups"] = new JsonArray("example.dev"),
                ["apiVersions"] = new JsonArray("v1"),
                ["resources"] = new JsonArray("widgets"),
                ["scope"] = "Namespaced",
            }),
            ["failurePolicy"] = failurePolicy,
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["timeoutSeconds"] = timeoutSeconds,
        };
        if (namespaceSelector is not null)
        {
            webhook["namespaceSelector"] = namespaceSelector;
        }
        if (objectSelector is not null)
        {
            webhook["objectSelector"] = objectSelector;
        }
        return new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "ValidatingWebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["webhooks"] = new JsonArray(webhook),
        };
    }

    /// <summary>Another CA's bundle: the webhook's certificate does not chain to it.</summary>
    public static string ForeignCaBundle() => Convert.ToBase64String(Encoding.UTF8.GetBytes(Certificates().CaPem));

    private static (X509Certificate2 Certificate, string CaPem) Certificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=test-webhook-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        using var withKey = signed.CopyWithPrivateKey(key);
        return (X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null), ca.ExportCertificatePem());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
