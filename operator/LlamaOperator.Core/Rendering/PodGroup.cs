using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// A gang-scheduling PodGroup: scheduler-plugins (scheduling.x-k8s.io/v1alpha1) or Volcano
/// (scheduling.volcano.sh/v1beta1). Both share minMember and minResources; the rest is per scheduler.
/// </summary>
public sealed class PodGroup : IKubernetesObject<V1ObjectMeta>
{
    public const string CoschedulingApiVersion = "scheduling.x-k8s.io/v1alpha1";
    public const string VolcanoApiVersion = "scheduling.volcano.sh/v1beta1";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = CoschedulingApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "PodGroup";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PodGroupSpec Spec { get; set; } = new();
}

public sealed class PodGroupSpec
{
    /// <summary>Pods that must be schedulable together before any is bound.</summary>
    [JsonPropertyName("minMember")]
    public int MinMember { get; set; }

    [JsonPropertyName("minResources")]
    public IDictionary<string, ResourceQuantity>? MinResources { get; set; }

    /// <summary>scheduler-plugins only.</summary>
    [JsonPropertyName("scheduleTimeoutSeconds")]
    public int? ScheduleTimeoutSeconds { get; set; }

    /// <summary>Volcano only.</summary>
    [JsonPropertyName("queue")]
    public string? Queue { get; set; }
}
