using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;
using Serilog;

namespace LlamaOperator.DevCluster.Nodes;

/// <summary>
/// Node readiness for fault injection. A node marked NotReady gets Ready=Unknown and the
/// node.kubernetes.io/unreachable:NoExecute taint at once; after the grace period its pods that are
/// still running are failed the way a lost node's pods were: phase Failed, reason NodeLost,
/// condition Ready=False, and their processes stop (the node is gone). Pods are not deleted; the
/// owner (operator) decides what to recreate.
/// </summary>
internal sealed class NodeLifecycleController(ObjectStore store, TimeProvider time, TimeSpan grace, ILogger logger)
{
    public void SetReady(string node, bool ready)
    {
        store.Replace(BuiltInKinds.Nodes, "", node, obj =>
        {
            NodeObjects.SetReady(obj, ready, time.GetUtcNow());
            return obj;
        });
        if (!ready)
        {
            _ = FailPodsLaterAsync(node);
        }
    }

    private async Task FailPodsLaterAsync(string node)
    {
        await Task.Delay(grace, time);
        if (store.Get(BuiltInKinds.Nodes, "", node) is not { } current || NodeObjects.IsReady(current.ToJson()))
        {
            return;
        }
        foreach (var pod in store.List(BuiltInKinds.Pods, null).Items.Where(p => p.Fields["spec.nodeName"] == node && p.Fields["status.phase"] is not ("Succeeded" or "Failed")))
        {
            var status = pod.ToJson()["status"]?.DeepClone() as JsonObject ?? [];
            status["phase"] = "Failed";
            status["reason"] = "NodeLost";
            status["message"] = $"Node {node} which was running pod {pod.Name} is unresponsive";
            foreach (var container in (status["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
            {
                container["ready"] = false;
                container["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject { ["exitCode"] = 137, ["reason"] = "NodeLost", ["finishedAt"] = Meta.Timestamp(time.GetUtcNow()) },
                };
            }
            var updated = new JsonObject { ["status"] = status };
            PodConditions.Set(updated, "Ready", "False", "NodeLost", null, time.GetUtcNow());
            try
            {
                store.UpdateStatus(BuiltInKinds.Pods, pod.Namespace, pod.Name, updated);
                logger.Warning("Pod {Namespace}/{Pod} failed: node {Node} lost", pod.Namespace, pod.Name, node);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted meanwhile.
            }
        }
    }
}
