using System.Text;
using LlamaOperator.DevCluster.Kubelet;
using Microsoft.AspNetCore.Http;

namespace LlamaOperator.DevCluster.Server;

/// <summary>The pods/log subresource: text/plain output, with follow=true streaming until the container ends.</summary>
internal static class LogStreamer
{
    public static async Task WriteAsync(HttpContext context, LogBuffer log, bool follow, int? tailLines)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        if (!follow)
        {
            await context.Response.WriteAsync(log.Text(tailLines));
            return;
        }
        var (lines, seen, changed) = log.ReadFrom(0);
        var skip = tailLines is { } n ? Math.Max(0, lines.Count - n) : 0;
        await WriteLines(context, lines.Skip(skip));
        try
        {
            while (!log.Completed)
            {
                await changed.WaitAsync(context.RequestAborted);
                (lines, seen, changed) = log.ReadFrom(seen);
                await WriteLines(context, lines);
            }
            (lines, _, _) = log.ReadFrom(seen);
            await WriteLines(context, lines);
        }
        catch (OperationCanceledException)
        {
            // The client stopped following.
        }
    }

    private static async Task WriteLines(HttpContext context, IEnumerable<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append('\n');
        }
        if (builder.Length > 0)
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(builder.ToString()));
            await context.Response.Body.FlushAsync();
        }
    }
}
