using System.Collections.Immutable;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>The served resources (built-in + registered CRDs): what discovery lists and requests resolve to.</summary>
public sealed class ResourceRegistry
{
    private readonly Lock _gate = new();
    private ImmutableList<ResourceKind> _kinds = [];

    public IReadOnlyList<ResourceKind> Kinds => _kinds;

    public void Register(ResourceKind kind)
    {
        lock (_gate)
        {
            var existing = _kinds.FindIndex(k => k.GroupVersion == kind.GroupVersion && k.Plural == kind.Plural);
            _kinds = existing >= 0 ? _kinds.SetItem(existing, kind) : _kinds.Add(kind);
        }
    }

    /// <summary>Removes every version of group/plural (a CRD deleted).</summary>
    public void Unregister(string group, string plural)
    {
        lock (_gate)
        {
            _kinds = _kinds.RemoveAll(k => k.Group == group && k.Plural == plural);
        }
    }

    public ResourceKind? Find(string group, string version, string plural)
    {
        foreach (var kind in _kinds)
        {
            if (kind.Plural == plural && kind.Version == version && kind.Group == group)
            {
                return kind;
            }
        }
        return null;
    }

    public ResourceKind? FindByKind(string apiVersion, string kindName) =>
        _kinds.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kindName);

    /// <summary>Group versions in registration order (core "v1" first), as discovery lists them.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        _kinds.Where(k => k.Group.Length > 0)
            .GroupBy(k => k.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(k => k.Version).Distinct().ToList()))
            .ToList();

    public IReadOnlyList<ResourceKind> InGroupVersion(string group, string version) =>
        _kinds.Where(k => k.Group == group && k.Version == version).ToList();
}
