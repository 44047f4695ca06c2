using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>Sets a pod (or node) condition in status.conditions, moving lastTransitionTime only when the status flips.</summary>
public static class PodConditions
{
    public static void Set(JsonObject obj, string type, string status, string? reason, string? message, DateTimeOffset now)
    {
        var statusObject = obj["status"] as JsonObject ?? [];
        obj["status"] = statusObject;
        var conditions = statusObject["conditions"] as JsonArray ?? [];
        statusObject["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if ((string?)existing["status"] != status)
        {
            existing["lastTransitionTime"] = Meta.Timestamp(now);
        }
        existing["status"] = status;
        existing["lastProbeTime"] = null;
        if (reason is null)
        {
            existing.Remove("reason");
        }
        else
        {
            existing["reason"] = reason;
        }
        if (message is null)
        {
            existing.Remove("message");
        }
        else
        {
            existing["message"] = message;
        }
    }
}
