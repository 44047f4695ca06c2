using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Selectors;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>What scheduling needs of a pod, read once from its JSON.</summary>
public sealed record PodInfo
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string NodeName { get; init; } = "";
    public ComputeResources Requests { get; init; }
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<Toleration> Tolerations { get; init; } = [];
    public IReadOnlyList<AffinityTerm> Affinity { get; init; } = [];

    /// <summary>"namespace/name" of the PodGroup it belongs to, or null for a pod scheduled on its own.</summary>
    public string? Group { get; init; }

    /// <summary>Succeeded or Failed: holds no resources.</summary>
    public bool Terminal { get; init; }

    public static PodInfo FromJson(JsonObject pod)
    {
        var ns = Meta.Namespace(pod);
        var spec = pod["spec"] as JsonObject ?? [];
        var labels = Meta.Labels(pod);
        var annotations = Meta.StringMap(pod["metadata"]?["annotations"]);
        var groupName = labels.GetValueOrDefault(PodGroupCrds.CoschedulingLabel) ?? annotations.GetValueOrDefault(PodGroupCrds.VolcanoAnnotation);
        var requests = new ComputeResources();
        foreach (var container in (spec["containers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var resources = container["resources"];
            requests += new ComputeResources(
                Quantity(resources, "nvidia.com/gpu"), Quantity(resources, "cpu"), Quantity(resources, "memory"));
        }
        return new PodInfo
        {
            Namespace = ns,
            Name = Meta.Name(pod),
            Labels = labels,
            NodeName = (string?)spec["nodeName"] ?? "",
            Requests = requests,
            NodeSelector = Meta.StringMap(spec["nodeSelector"]),
            Tolerations = (spec["tolerations"] as JsonArray ?? []).OfType<JsonObject>().Select(t => new Toleration(
                (string?)t["key"] ?? "", (string?)t["operator"] ?? "Equal", (string?)t["value"] ?? "", (string?)t["effect"] ?? "")).ToList(),
            Affinity = (spec["affinity"]?["podAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"] as JsonArray ?? [])
                .OfType<JsonObject>().Select(term => new AffinityTerm(
                    term["labelSelector"] is JsonObject selector ? LabelSelector.FromApi(selector) : new LabelSelector([new LabelRequirement("\0never", LabelOperator.Exists, [])]),
                    (string?)term["topologyKey"] ?? "",
                    (term["namespaces"] as JsonArray)?.Select(n => (string?)n ?? "").ToList() ?? [ns])).ToList(),
            Group = groupName is null ? null : $"{ns}/{groupName}",
            Terminal = (string?)pod["status"]?["phase"] is "Succeeded" or "Failed",
        };
    }

    // Requests default to limits, as the API server fills them.
    private static decimal Quantity(JsonNode? resources, string name)
    {
        var text = (string?)resources?["requests"]?[name] ?? (string?)resources?["limits"]?[name];
        if (text is null && resources?["requests"]?[name] is JsonValue number && number.TryGetValue<decimal>(out var n))
        {
            return n;
        }
        return text is null ? 0 : ResourceQuantity.Parse(text, $"resources.requests[{name}]");
    }
}
