using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Nodes;

/// <summary>The core/v1 Node object of a simulated node: labels, taints, capacity (GPUs included) and a Ready condition.</summary>
public static class NodeObjects
{
    public static JsonObject Create(NodeOptions node, DateTimeOffset now)
    {
        var labels = new JsonObject
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
        };
        foreach (var (key, value) in node.Labels)
        {
            labels[key] = value;
        }
        var capacity = new JsonObject
        {
            ["cpu"] = node.Cpu,
            ["memory"] = node.Memory,
            ["pods"] = "110",
            ["nvidia.com/gpu"] = node.Gpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var obj = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = node.Name, ["labels"] = labels },
            ["spec"] = new JsonObject
            {
                ["taints"] = new JsonArray(node.Taints.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect }).ToArray()),
            },
            ["status"] = new JsonObject
            {
                ["capacity"] = capacity,
                ["allocatable"] = capacity.DeepClone(),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = "v1.32.0-llamaop-process-kubelet",
                    ["containerRuntimeVersion"] = "process://local",
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                },
            },
        };
        SetReady(obj, true, now);
        return obj;
    }

    /// <summary>Sets Ready and the matching unreachable NoExecute taint, as the node lifecycle controller does.</summary>
    public static void SetReady(JsonObject node, bool ready, DateTimeOffset now)
    {
        PodConditions.Set(node, "Ready", ready ? "True" : "Unknown",
            ready ? "KubeletReady" : "NodeStatusUnknown",
            ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status.", now);
        var spec = node["spec"] as JsonObject ?? [];
        node["spec"] = spec;
        var taints = (spec["taints"] as JsonArray ?? []).Where(t => (string?)t?["key"] != UnreachableTaint).Select(t => t!.DeepClone()).ToList();
        if (!ready)
        {
            taints.Add(new JsonObject { ["key"] = UnreachableTaint, ["effect"] = "NoExecute", ["timeAdded"] = Meta.Timestamp(now) });
        }
        spec["taints"] = new JsonArray(taints.ToArray());
    }

    public static bool IsReady(JsonObject node) =>
        (node["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True") == true;

    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
}
