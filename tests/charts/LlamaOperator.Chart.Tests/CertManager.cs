using System.Text.Json.Serialization;

namespace LlamaOperator.Chart.Tests;

/// <summary>cert-manager's cert-manager.io/v1 Certificate.</summary>
public sealed class Certificate : CustomObject<CertificateSpec>
{
    public const string ApiVersionAndKind = "cert-manager.io/v1/Certificate";
}

public sealed class CertificateSpec
{
    [JsonPropertyName("secretName")]
    public string SecretName { get; set; } = "";

    [JsonPropertyName("duration")]
    public string Duration { get; set; } = "";

    [JsonPropertyName("renewBefore")]
    public string RenewBefore { get; set; } = "";

    [JsonPropertyName("dnsNames")]
    public IList<string> DnsNames { get; set; } = [];

    [JsonPropertyName("issuerRef")]
    public IssuerReference IssuerRef { get; set; } = new();
}

public sealed class IssuerReference
{
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("group")]
    public string? Group { get; set; }
}

/// <summary>cert-manager's Issuer as the chart renders it: self-signed.</summary>
public sealed class Issuer : CustomObject<IssuerSpec>
{
    public const string ApiVersionAndKind = "cert-manager.io/v1/Issuer";
}

public sealed class IssuerSpec
{
    [JsonPropertyName("selfSigned")]
    public Dictionary<string, object>? SelfSigned { get; set; }
}
