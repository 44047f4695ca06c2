using System.Globalization;
using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Store;

/// <summary>Reads of metadata fields on a JSON object, shared by the store and the controllers.</summary>
public static class Meta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }
        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string Name(JsonObject obj) => (string?)obj["metadata"]?["name"] ?? "";

    public static string Namespace(JsonObject obj) => (string?)obj["metadata"]?["namespace"] ?? "";

    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj) => StringMap(obj["metadata"]?["labels"]);

    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? node)
    {
        if (node is not JsonObject map || map.Count == 0)
        {
            return Empty;
        }
        var result = new Dictionary<string, string>(map.Count);
        foreach (var (key, value) in map)
        {
            result[key] = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "";
        }
        return result;
    }

    public static IReadOnlyList<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray array ? array.Select(f => (string?)f ?? "").ToList() : [];

    public static IReadOnlyList<OwnerReference> Owners(JsonObject obj) =>
        obj["metadata"]?["ownerReferences"] is JsonArray array
            ? array.OfType<JsonObject>().Select(o => new OwnerReference(
                (string?)o["uid"] ?? "", (string?)o["apiVersion"] ?? "", (string?)o["kind"] ?? "", (string?)o["name"] ?? "",
                o["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var block) && block)).ToList()
            : [];

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string MicroTimestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, string> Empty = [];
}
