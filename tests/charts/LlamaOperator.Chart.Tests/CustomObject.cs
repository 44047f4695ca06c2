using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LlamaOperator.Chart.Tests;

/// <summary>
/// A custom resource the chart renders and KubernetesClient has no model for: identity, metadata and a spec reduced to
/// the fields the chart sets; strict parsing rejects any other field, so a typo in a template fails the tests.
/// </summary>
public abstract class CustomObject<TSpec> : IKubernetesObject<V1ObjectMeta>
    where TSpec : new()
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public TSpec Spec { get; set; } = new();
}
