using k8s;
using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Keeps a stage's Service, ConfigMap and PodGroup as rendered. Only the fields the operator sets count: its labels,
/// the ConfigMap's job manifest, the Service's selector, ports and publishNotReadyAddresses, the PodGroup's minMember
/// and minResources (its queue and timeout where the job sets them). Defaults the API server or a scheduler adds and
/// fields others set (annotations, other labels and keys) are left alone. A drifted object comes back as the observed
/// one with those fields as rendered, to replace it.
/// </summary>
internal static class StageObjectRepair
{
    /// <summary>The rendered objects the cache does not show.</summary>
    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Missing(ObservedStageObjects? observed, StageObjects desired)
    {
        if (desired.PodGroup is not null && observed?.PodGroup is null)
        {
            yield return desired.PodGroup;
        }

        if (observed?.ConfigMap is null)
        {
            yield return desired.ConfigMap;
        }

        if (observed?.Service is null)
        {
            yield return desired.Service;
        }
    }

    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Repairs(ObservedStageObjects? observed, StageObjects desired)
    {
        if (observed?.ConfigMap is { } configMap && (!HasLabels(configMap, desired.ConfigMap) || !HasData(configMap, desired.ConfigMap)))
        {
            var repaired = Copy(configMap);
            SetLabels(repaired, desired.ConfigMap);
            repaired.Data ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in desired.ConfigMap.Data)
            {
                repaired.Data[key] = value;
            }

            yield return repaired;
        }

        if (observed?.Service is { } service && (!HasLabels(service, desired.Service) || !SameSpec(service.Spec, desired.Service.Spec)))
        {
            var repaired = Copy(service);
            SetLabels(repaired, desired.Service);
            repaired.Spec ??= new V1ServiceSpec();
            repaired.Spec.Selector = desired.Service.Spec.Selector;
            repaired.Spec.PublishNotReadyAddresses = desired.Service.Spec.PublishNotReadyAddresses;
            repaired.Spec.Ports = desired.Service.Spec.Ports;
            yield return repaired;
        }

        if (observed?.PodGroup is { } group && desired.PodGroup is { } wanted && (!HasLabels(group, wanted) || !SameSpec(group.Spec, wanted.Spec)))
        {
            var repaired = Copy(group);
            repaired.ApiVersion = wanted.ApiVersion; // list items carry none
            SetLabels(repaired, wanted);
            repaired.Spec.MinMember = wanted.Spec.MinMember;
            repaired.Spec.MinResources = wanted.Spec.MinResources;
            repaired.Spec.ScheduleTimeoutSeconds = wanted.Spec.ScheduleTimeoutSeconds ?? repaired.Spec.ScheduleTimeoutSeconds;
            repaired.Spec.Queue = wanted.Spec.Queue ?? repaired.Spec.Queue;
            yield return repaired;
        }
    }

    private static bool HasLabels(IMetadata<V1ObjectMeta> observed, IMetadata<V1ObjectMeta> desired) =>
        desired.Metadata.Labels.All(l => observed.Metadata.Labels?.TryGetValue(l.Key, out var value) == true && value == l.Value);

    private static void SetLabels(IMetadata<V1ObjectMeta> repaired, IMetadata<V1ObjectMeta> desired)
    {
        repaired.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in desired.Metadata.Labels)
        {
            repaired.Metadata.Labels[key] = value;
        }
    }

    private static bool HasData(V1ConfigMap observed, V1ConfigMap desired) =>
        desired.Data.All(d => observed.Data?.TryGetValue(d.Key, out var value) == true && value == d.Value);

    private static bool SameSpec(V1ServiceSpec? observed, V1ServiceSpec desired) =>
        observed is not null
        && observed.PublishNotReadyAddresses == desired.PublishNotReadyAddresses
        && observed.Selector is { } selector && selector.Count == desired.Selector.Count && desired.Selector.All(s => selector.TryGetValue(s.Key, out var v) && v == s.Value)
        && (observed.Ports ?? []).Select(Port).SequenceEqual(desired.Ports.Select(Port));

    private static (string?, int, string?) Port(V1ServicePort port) => (port.Name, port.Port, port.TargetPort?.Value);

    // A queue or timeout the job leaves unset is the scheduler's to default (Volcano's webhook sets queue "default").
    private static bool SameSpec(PodGroupSpec observed, PodGroupSpec desired) =>
        observed.MinMember == desired.MinMember
        && (desired.ScheduleTimeoutSeconds is null || observed.ScheduleTimeoutSeconds == desired.ScheduleTimeoutSeconds)
        && (desired.Queue is null || observed.Queue == desired.Queue)
        && Quantities(observed.MinResources).SequenceEqual(Quantities(desired.MinResources));

    private static IEnumerable<(string, decimal)> Quantities(IDictionary<string, ResourceQuantity>? resources) =>
        (resources ?? new Dictionary<string, ResourceQuantity>()).Select(r => (r.Key, r.Value.ToDecimal())).OrderBy(r => r.Key, StringComparer.Ordinal);

    private static T Copy<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value));
}
