using System.Net;

namespace LlamaOperator.Operator.Hosting;

/// <summary>Where and with which certificate the operator serves its validating admission webhook.</summary>
public sealed record WebhookOptions
{
    /// <summary>HTTPS address, e.g. "https://0.0.0.0:9443" (port 0 picks one).</summary>
    public required string Address { get; init; }

    /// <summary>A folder holding tls.crt and tls.key (a mounted kubernetes.io/tls Secret); null generates a certificate at start.</summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>The names a generated certificate is valid for (the webhook Service's DNS names, or localhost).</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = ["localhost"];

    /// <summary>The IP addresses a generated certificate is valid for.</summary>
    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [IPAddress.Loopback];
}

/// <summary>The running webhook server: its base URL and, for a generated certificate, the caBundle that trusts it.</summary>
public sealed record WebhookEndpoint(Uri BaseUrl, string? CaBundlePem)
{
    /// <summary>The LlamaTrainingJob webhook's URL.</summary>
    public Uri JobValidationUrl => new(BaseUrl, Admission.JobAdmission.Path);
}
