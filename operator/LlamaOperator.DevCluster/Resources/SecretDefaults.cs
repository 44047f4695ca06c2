using System.Text;
using System.Text.Json.Nodes;

namespace LlamaOperator.DevCluster.Resources;

/// <summary>Secret defaults: type Opaque, and stringData folded into base64 data (it is write-only, as on a real server).</summary>
internal static class SecretDefaults
{
    public static void Apply(JsonObject secret)
    {
        secret["type"] ??= "Opaque";
        FoldStringData(secret);
    }

    public static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is JsonObject stringData)
        {
            if (secret["data"] is not JsonObject data)
            {
                data = [];
                secret["data"] = data;
            }
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string?)value ?? ""));
            }
            secret.Remove("stringData");
        }
    }
}
