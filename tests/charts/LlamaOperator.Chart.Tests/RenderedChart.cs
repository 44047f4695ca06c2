using k8s;
using k8s.Models;

namespace LlamaOperator.Chart.Tests;

/// <summary>The objects of a `helm template` output, each parsed into its KubernetesClient model with unknown fields rejected.</summary>
public sealed class RenderedChart
{
    private static readonly Dictionary<string, Type> ExtraTypes = new()
    {
        [ServiceMonitor.ApiVersionAndKind] = typeof(ServiceMonitor),
        [Certificate.ApiVersionAndKind] = typeof(Certificate),
        [Issuer.ApiVersionAndKind] = typeof(Issuer),
    };

    private RenderedChart(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects) => Objects = objects;

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    /// <summary>Parses strictly: an unknown field or kind throws, naming it.</summary>
    public static RenderedChart Parse(string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml, ExtraTypes, strict: true);
        return new RenderedChart(objects.Select(o => o as IKubernetesObject<V1ObjectMeta>
            ?? throw new InvalidDataException($"rendered object of type {o.GetType().Name} has no ObjectMeta")).ToList());
    }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>() => Assert.Single(Objects.OfType<T>());

    public T Named<T>(string name) where T : IKubernetesObject<V1ObjectMeta> => Assert.Single(Objects.OfType<T>(), o => o.Metadata.Name == name);

    /// <summary>"Kind/name" or "Kind/namespace/name" of every object, sorted.</summary>
    public IReadOnlyList<string> Identities() =>
        Objects.Select(o => o.Metadata.NamespaceProperty is { } ns ? $"{o.Kind}/{ns}/{o.Metadata.Name}" : $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal).ToList();
}
