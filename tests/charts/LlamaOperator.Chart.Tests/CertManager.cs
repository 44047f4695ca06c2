using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LlamaOperator.Chart.Tests;

/// <summary>
/// cert-manager's cert-manager.io/v1 Certificate, reduced to the fields the chart sets (KubernetesClient has no model
/// for it); strict parsing rejects any other field.
/// </summary>
public sealed class Certificate : IKubernetesObject<V1ObjectMeta>
{
    public const string ApiVersionAndKind = "cert-manager.io/v1/Certificate";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public CertificateSpec Spec { get; set; } = new();
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
public sealed class Issuer : IKubernetesObject<V1ObjectMeta>
{
    public const string ApiVersionAndKind = "cert-manager.io/v1/Issuer";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IssuerSpec Spec { get; set; } = new();
}

public sealed class IssuerSpec
{
    [JsonPropertyName("selfSigned")]
    public Dictionary<string, object>? SelfSigned { get; set; }
}
