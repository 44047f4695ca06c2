using k8s.Models;

namespace LlamaOperator.Runtime.Tests;

internal static class Objects
{
    public static V1ConfigMap ConfigMap(
        string name,
        string resourceVersion,
        string? @namespace = "default",
        IDictionary<string, string>? labels = null,
        IList<V1OwnerReference>? owners = null,
        long? generation = null) => new()
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = @namespace,
                ResourceVersion = resourceVersion,
                Labels = labels,
                OwnerReferences = owners,
                Generation = generation,
                Uid = $"uid-{name}",
            },
        };

    public static V1OwnerReference Owner(string kind, string name, string apiVersion = "llamaoperator.dev/v1alpha1", bool controller = true) =>
        new() { ApiVersion = apiVersion, Kind = kind, Name = name, Uid = $"uid-{name}", Controller = controller };
}
