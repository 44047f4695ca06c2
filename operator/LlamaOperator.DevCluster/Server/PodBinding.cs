using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Server;

/// <summary>The pods/binding subresource: assigns a pending pod to a node (spec.nodeName + PodScheduled) in one write.</summary>
public static class PodBinding
{
    public static StoredObject Bind(ObjectStore store, string ns, string pod, string node, DateTimeOffset now) =>
        store.Replace(BuiltInKinds.Pods, ns, pod, obj =>
        {
            var spec = obj["spec"] as JsonObject ?? [];
            if ((string?)spec["nodeName"] is { Length: > 0 } bound)
            {
                throw ApiException.Conflict("pods", pod, "", $"pod {pod} is already assigned to node \"{bound}\"");
            }
            if (obj["metadata"]?["deletionTimestamp"] is not null)
            {
                throw ApiException.Conflict("pods", pod, "", "pod is being deleted");
            }
            spec["nodeName"] = node;
            obj["spec"] = spec;
            PodConditions.Set(obj, "PodScheduled", "True", null, null, now);
            return obj;
        });
}
