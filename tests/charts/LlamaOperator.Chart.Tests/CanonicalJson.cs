using System.Text.Json.Nodes;
using k8s;

namespace LlamaOperator.Chart.Tests;

/// <summary>An object's JSON with object keys sorted, so that two equal objects compare equal whatever order their maps came in.</summary>
public static class CanonicalJson
{
    public static string Of(object value) => Sort(JsonNode.Parse(KubernetesJson.Serialize(value)))?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sort).ToArray()),
        _ => node?.DeepClone(),
    };
}
