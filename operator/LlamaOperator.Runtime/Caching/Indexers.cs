using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Caching;

/// <summary>Index functions for <see cref="Cache{T}.AddIndex"/>: each maps an object to the index values it is found under.</summary>
public static class Indexers
{
    /// <summary>Built into every cache; cluster-scoped objects index under "".</summary>
    public const string NamespaceIndex = "namespace";

    public static IEnumerable<string> ByNamespace(IMetadata<V1ObjectMeta> obj) => [obj.Metadata?.NamespaceProperty ?? ""];

    /// <summary>The UIDs of every owner in metadata.ownerReferences.</summary>
    public static IEnumerable<string> ByOwnerUid(IMetadata<V1ObjectMeta> obj) =>
        obj.Metadata?.OwnerReferences?.Select(o => o.Uid).Where(uid => !string.IsNullOrEmpty(uid)) ?? [];

    /// <summary>The UID of the managing controller (the owner reference with controller: true), if any.</summary>
    public static IEnumerable<string> ByControllerUid(IMetadata<V1ObjectMeta> obj) =>
        obj.Metadata?.OwnerReferences?.Where(o => o.Controller == true && !string.IsNullOrEmpty(o.Uid)).Select(o => o.Uid) ?? [];

    /// <summary>An index on the value of one label; objects without the label are not indexed.</summary>
    public static Func<IMetadata<V1ObjectMeta>, IEnumerable<string>> ByLabel(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        return obj => obj.Metadata?.Labels is { } labels && labels.TryGetValue(label, out var value) ? [value] : [];
    }
}
