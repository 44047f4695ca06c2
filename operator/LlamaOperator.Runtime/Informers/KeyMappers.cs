using k8s;
using k8s.Models;
using LlamaOperator.Runtime.Caching;

namespace LlamaOperator.Runtime.Informers;

/// <summary>Mappings from a changed object to the keys of the objects whose reconcile it concerns.</summary>
public static class KeyMappers
{
    /// <summary>The object's own key (the primary resource of a controller).</summary>
    public static IEnumerable<ObjectKey> Self(IMetadata<V1ObjectMeta> obj) => [ObjectKey.From(obj)];

    /// <summary>
    /// The key of the object's managing controller (ownerReference with controller: true) when it is of
    /// <paramref name="ownerKind"/> in <paramref name="ownerApiGroup"/> ("" for the core group); owners share the object's namespace.
    /// </summary>
    public static Func<IMetadata<V1ObjectMeta>, IEnumerable<ObjectKey>> ControllerOwner(string ownerApiGroup, string ownerKind)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerKind);
        return obj => obj.Metadata?.OwnerReferences?
            .Where(o => o.Controller == true && o.Kind == ownerKind && GroupOf(o.ApiVersion) == ownerApiGroup)
            .Select(o => new ObjectKey(obj.Metadata.NamespaceProperty, o.Name))
            .ToList() ?? [];
    }

    /// <summary>The key named by a label's value in the object's namespace (e.g. a pod labelled with its job's name).</summary>
    public static Func<IMetadata<V1ObjectMeta>, IEnumerable<ObjectKey>> LabelValue(string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        return obj => obj.Metadata?.Labels is { } labels && labels.TryGetValue(label, out var name) && !string.IsNullOrEmpty(name)
            ? [new ObjectKey(obj.Metadata.NamespaceProperty, name)]
            : [];
    }

    private static string GroupOf(string? apiVersion)
    {
        var slash = apiVersion?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash < 0 ? "" : apiVersion![..slash];
    }
}
