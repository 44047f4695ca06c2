using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Store;
using Microsoft.AspNetCore.Http;

namespace LlamaOperator.DevCluster.Server;

/// <summary>Writes JSON bodies and Status errors the way Kubernetes clients expect them.</summary>
internal static class HttpResponses
{
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task Json(HttpContext context, JsonNode node, int code = 200) =>
        Bytes(context, JsonSerializer.SerializeToUtf8Bytes(node, Compact), code);

    public static async Task Bytes(HttpContext context, ReadOnlyMemory<byte> body, int code = 200)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }

    public static Task Error(HttpContext context, ApiException error) => Json(context, error.ToStatus(), error.Code);

    public static JsonObject Success(string? name, string kind, string group) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind },
    };
}
