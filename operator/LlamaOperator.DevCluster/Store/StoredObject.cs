using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Store;

/// <summary>
/// An immutable stored object: its serialized JSON (written to clients as is) and the fields that
/// selectors, watches and the garbage collector read, extracted once at write time.
/// </summary>
public sealed class StoredObject
{
    public required ObjectRef Ref { get; init; }
    public required string Uid { get; init; }
    public required long Revision { get; init; }
    public required byte[] Json { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required IReadOnlyDictionary<string, string> Fields { get; init; }
    public required IReadOnlyList<OwnerReference> Owners { get; init; }
    public required IReadOnlyList<string> Finalizers { get; init; }
    public required bool Deleting { get; init; }

    public string Namespace => Ref.Namespace;
    public string Name => Ref.Name;

    /// <summary>A fresh, mutable copy of the object.</summary>
    public JsonObject ToJson() => (JsonObject)JsonNode.Parse(Json)!;
}
