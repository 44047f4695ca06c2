using System.Text;
using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>Secret defaults: type Opaque, and stringData folded into base64 data (it is write-only, as on a real server).</summary>
internal static class SecretDefaults
{
    public static void Apply(JsonObject secret)
    {
        secret["type"] ??= "Opaque";
        if (secret["stringData"] is JsonObject stringData)
        {
            var data = secret["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string?)value ?? ""));
            }
            secret["data"] = data;
            secret.Remove("stringData");
        }
    }
}
