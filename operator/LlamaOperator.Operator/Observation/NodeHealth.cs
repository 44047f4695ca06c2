using k8s.Models;

namespace LlamaOperator.Operator.Observation;

/// <summary>Whether a pod's node is lost: gone from the node cache, or its Ready condition not True. Unknown (no node cache) counts as healthy.</summary>
/// <param name="nodes">Looks a node up by name (the node cache); null when nodes are not watched.</param>
public sealed class NodeHealth(Func<string, V1Node?>? nodes)
{
    public bool IsLost(string? nodeName)
    {
        if (nodes is null || string.IsNullOrEmpty(nodeName))
        {
            return false;
        }

        var node = nodes(nodeName);
        return node is null || node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status != "True";
    }

    /// <summary>The node's Ready status, for telling a readiness change from the kubelet's routine status updates.</summary>
    public static string? Ready(V1Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;
}
