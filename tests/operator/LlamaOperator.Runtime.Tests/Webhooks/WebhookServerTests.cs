using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using LlamaOperator.Runtime.Webhooks;

namespace LlamaOperator.Runtime.Tests.Webhooks;

/// <summary>The webhook server over HTTPS as the API server calls it: trusted through the caBundle only, reviews answered.</summary>
public class WebhookServerTests
{
    private const string Review = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","operation":"CREATE","name":"w","object":{"metadata":{"name":"w"}}}}""";

    private static readonly Dictionary<string, Func<AdmissionRequest, AdmissionVerdict>> DenyAll = new()
    {
        ["/validate"] = r => AdmissionVerdict.Deny(422, "Invalid", $"{r.Name} is invalid", [new AdmissionCause("spec.x", "bad")]),
    };

    [Fact]
    public async Task A_generated_certificate_is_trusted_through_its_ca_bundle_and_reviews_are_answered()
    {
        var certificate = WebhookCertificate.Generate(["localhost"], [IPAddress.Loopback]);
        await using var server = await WebhookServer.StartAsync("https://127.0.0.1:0", certificate, DenyAll, Serilog.Core.Logger.None);
        using var trusting = ClientTrusting(certificate.CaBundlePem!);

        using var answer = await trusting.PostAsync(new Uri(server.BaseUrl, "/validate"), new StringContent(Review, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var response = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["response"]!;
        Assert.Equal("u-1", (string?)response["uid"]);
        Assert.False((bool)response["allowed"]!);
        Assert.Equal("w is invalid", (string?)response["status"]!["message"]);
        Assert.Equal("spec.x", (string?)response["status"]!["details"]!["causes"]![0]!["field"]);

        using var malformed = await trusting.PostAsync(new Uri(server.BaseUrl, "/validate"), new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        using var untrusting = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.PostAsync(new Uri(server.BaseUrl, "/validate"), new StringContent(Review)));
    }

    [Fact]
    public async Task A_certificate_from_a_mounted_secret_is_served()
    {
        using var folder = new TempFolder();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=webhook", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "tls.crt"), selfSigned.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "tls.key"), key.ExportPkcs8PrivateKeyPem());

        var certificate = WebhookCertificate.FromDirectory(folder.Path);
        await using var server = await WebhookServer.StartAsync("https://127.0.0.1:0", certificate, DenyAll, Serilog.Core.Logger.None);
        using var client = ClientTrusting(selfSigned.ExportCertificatePem());

        using var answer = await client.PostAsync(new Uri(server.BaseUrl, "/validate"), new StringContent(Review, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Null(certificate.CaBundlePem);
        Assert.Contains("tls.crt", certificate.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_http_address_is_refused()
    {
        var certificate = WebhookCertificate.Generate(["localhost"], [IPAddress.Loopback]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => WebhookServer.StartAsync("http://127.0.0.1:0", certificate, DenyAll, Serilog.Core.Logger.None));

        Assert.Contains("https://", error.Message, StringComparison.Ordinal);
    }

    /// <summary>An HTTP client that trusts only the given CA PEM, as the API server trusts a webhook's caBundle.</summary>
    private static HttpClient ClientTrusting(string caPem)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(caPem);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build((X509Certificate2)certificate);
        };
        return new HttpClient(handler);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("llamaop-webhook-cert-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
