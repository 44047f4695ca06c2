using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;
using LlamaOperator.DevCluster.Table;
using Microsoft.AspNetCore.Http;

namespace LlamaOperator.DevCluster.Server;

/// <summary>
/// Streams a watch as chunked JSON lines until the server-side timeout or the client leaves. Lines
/// are the shared pre-serialized ones; only a Table watch (kubectl get -w) renders per watcher.
/// </summary>
internal static class WatchStreamer
{
    public static async Task StreamAsync(HttpContext context, ResourceKind kind, Watcher watcher, TimeSpan timeout, bool asTable, TimeProvider time)
    {
        using var _ = watcher;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        await context.Response.BodyWriter.FlushAsync(); // the headers now: clients block on them before the first event
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        var writer = context.Response.BodyWriter;
        var reader = watcher.Events;
        var first = true;
        try
        {
            while (await reader.WaitToReadAsync(deadline.Token))
            {
                while (reader.TryRead(out var delivery))
                {
                    if (asTable)
                    {
                        var table = TableRenderer.Render(kind, [delivery.Object.ToJson()], ObjectStore.Rv(delivery.Object), "Object", time.GetUtcNow(), withColumns: first);
                        first = false;
                        var line = new JsonObject { ["type"] = WatchRecord.TypeName(delivery.Type), ["object"] = table };
                        writer.Write(JsonSerializer.SerializeToUtf8Bytes(line, HttpResponses.Compact));
                        writer.Write("\n"u8);
                    }
                    else
                    {
                        writer.Write(delivery.Line);
                    }
                }
                await writer.FlushAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Server-side timeout or client gone: the watch simply ends, as on a real server.
        }
    }

    /// <summary>A watch that cannot start (410 Gone) is a 200 with one ERROR event, as the real server answers.</summary>
    public static async Task ErrorEventAsync(HttpContext context, ApiException error)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var line = new JsonObject { ["type"] = "ERROR", ["object"] = error.ToStatus() };
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line.ToJsonString() + "\n"));
    }
}
