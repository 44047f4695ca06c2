using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>Service defaults: type ClusterIP and an allocated cluster IP unless headless (clusterIP: None).</summary>
internal static class ServiceDefaults
{
    private static int _next;

    public static void Apply(JsonObject service)
    {
        var spec = service["spec"] as JsonObject ?? [];
        service["spec"] = spec;
        spec["type"] ??= "ClusterIP";
        if (spec["clusterIP"] is null)
        {
            var n = Interlocked.Increment(ref _next);
            spec["clusterIP"] = $"10.96.{(n >> 8) & 255}.{n & 255}";
        }
        service["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }
}
