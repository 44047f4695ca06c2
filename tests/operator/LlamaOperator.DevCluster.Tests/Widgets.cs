using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>The test CRD's objects (widgets.example.dev/v1) through KubernetesClient's custom object API.</summary>
public static class Widgets
{
    public static async Task<JsonObject> CreateAsync(Kubernetes client, string ns, string name, int size, string? status = null, string extraSpec = "", string? metadataExtra = null)
    {
        var json = $$"""{"apiVersion":"example.dev/v1","kind":"Widget","metadata":{"name":"{{name}}"{{metadataExtra}}},"spec":{"size":{{size}}{{extraSpec}}}{{(status is null ? "" : ",\"status\":" + status)}}}""";
        return Node(await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(json)!, "example.dev", "v1", ns, "widgets"));
    }

    public static async Task<JsonObject> GetAsync(Kubernetes client, string ns, string name) =>
        Node(await client.CustomObjects.GetNamespacedCustomObjectAsync("example.dev", "v1", ns, "widgets", name));

    public static async Task<JsonObject> PatchAsync(Kubernetes client, string ns, string name, string mergePatch, bool status = false)
    {
        var patch = new V1Patch(mergePatch, V1Patch.PatchType.MergePatch);
        return Node(status
            ? await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, "example.dev", "v1", ns, "widgets", name)
            : await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, "example.dev", "v1", ns, "widgets", name));
    }

    public static JsonObject Node(object result) => (JsonObject)JsonNode.Parse(result is JsonElement e ? e.GetRawText() : JsonSerializer.Serialize(result))!;
}
