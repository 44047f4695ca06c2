using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Tests.Cluster;

/// <summary>The test custom resource gadgets.runtime.test/v1 (TestData/crds).</summary>
public sealed class Gadget : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "runtime.test";
    public const string Version = "v1";
    public const string Plural = "gadgets";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Gadget";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public GadgetSpec Spec { get; set; } = new();

    public static Gadget New(string @namespace, string name, int size, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace, Labels = labels },
        Spec = new GadgetSpec { Size = size },
    };
}

public sealed class GadgetSpec
{
    [JsonPropertyName("size")]
    public int Size { get; set; }
}
