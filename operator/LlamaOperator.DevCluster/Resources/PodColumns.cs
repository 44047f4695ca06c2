using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>The computed pod columns of `kubectl get pods` (READY, STATUS, RESTARTS) as kubectl shows them.</summary>
internal static class PodColumns
{
    public static JsonNode? Ready(JsonObject pod)
    {
        var total = (pod["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var ready = Statuses(pod).Count(s => s["ready"]?.GetValue<bool>() == true);
        return $"{ready}/{total}";
    }

    public static JsonNode? Restarts(JsonObject pod) => Statuses(pod).Sum(s => s["restartCount"]?.GetValue<int>() ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static JsonNode? Status(JsonObject pod)
    {
        if (pod["metadata"]?["deletionTimestamp"] is not null)
        {
            return "Terminating";
        }
        if ((string?)pod["status"]?["reason"] is { } podReason)
        {
            return podReason;
        }
        foreach (var status in Statuses(pod))
        {
            if ((string?)status["state"]?["waiting"]?["reason"] is { } waiting && waiting != "ContainerCreating")
            {
                return waiting;
            }
            if ((string?)status["state"]?["terminated"]?["reason"] is { } terminated && (string?)pod["status"]?["phase"] is not "Running")
            {
                return terminated;
            }
        }
        return (string?)pod["status"]?["phase"] ?? "Pending";
    }

    private static IEnumerable<JsonObject> Statuses(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [];
}
