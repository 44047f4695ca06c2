using k8s;
using k8s.Models;

namespace LlamaOperator.Runtime.Caching;

/// <summary>Identifies an object as "namespace/name" (or "name" when cluster-scoped), like client-go's MetaNamespaceKey.</summary>
public readonly record struct ObjectKey
{
    public ObjectKey(string? @namespace, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Namespace = string.IsNullOrEmpty(@namespace) ? null : @namespace;
        Name = name;
    }

    /// <summary>Null for cluster-scoped objects.</summary>
    public string? Namespace { get; }

    public string Name { get; }

    public static ObjectKey From(IMetadata<V1ObjectMeta> obj)
    {
        var name = obj.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("The object has no metadata.name, so it has no key.", nameof(obj));
        }

        return new ObjectKey(obj.Metadata!.NamespaceProperty, name);
    }

    /// <summary>Parses "namespace/name" or "name".</summary>
    public static ObjectKey Parse(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var parts = key.Split('/');
        return parts.Length switch
        {
            1 => new ObjectKey(null, parts[0]),
            2 when parts[0].Length > 0 && parts[1].Length > 0 => new ObjectKey(parts[0], parts[1]),
            _ => throw new FormatException($"Object key '{key}' is not of the form 'namespace/name' or 'name'."),
        };
    }

    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
