using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Nodes;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>What scheduling needs of a node: labels, taints, allocatable resources, readiness.</summary>
public sealed record NodeInfo(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<NodeTaint> Taints, ComputeResources Allocatable, bool Schedulable)
{
    public static NodeInfo FromJson(JsonObject node)
    {
        var allocatable = node["status"]?["allocatable"];
        decimal Quantity(string name) => (string?)allocatable?[name] is { } text ? ResourceQuantity.Parse(text, $"status.allocatable[{name}]") : 0;
        var taints = (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(t => new NodeTaint((string?)t["key"] ?? "", (string?)t["value"] ?? "", (string?)t["effect"] ?? "")).ToList();
        var unschedulable = node["spec"]?["unschedulable"] is JsonValue u && u.TryGetValue<bool>(out var flag) && flag;
        return new NodeInfo(Meta.Name(node), Meta.Labels(node), taints,
            new ComputeResources(Quantity("nvidia.com/gpu"), Quantity("cpu"), Quantity("memory")),
            NodeObjects.IsReady(node) && !unschedulable);
    }
}
