using k8s.Models;
using LlamaOperator.Runtime.Caching;

namespace LlamaOperator.Operator.Observation;

/// <summary>Whether a pod's node is lost: gone from the node cache, or its Ready condition not True. Unknown (no node cache) counts as healthy.</summary>
public sealed class NodeHealth(Cache<V1Node>? nodes)
{
    public bool IsLost(string? nodeName)
    {
        if (nodes is null || string.IsNullOrEmpty(nodeName))
        {
            return false;
        }

        var node = nodes.Get(null, nodeName);
        return node is null || node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status != "True";
    }

    /// <summary>The node's Ready status, for telling a readiness change from the kubelet's routine status updates.</summary>
    public static string? Ready(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;
}
