using System.Globalization;
using Prometheus;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>Reads samples from a prometheus-net registry as /metrics would show them.</summary>
internal static class MetricsText
{
    public static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The sum of every sample of <paramref name="metric"/> whose label set contains <paramref name="labelFilter"/>.</summary>
    public static async Task<double> SumAsync(CollectorRegistry registry, string metric, string labelFilter = "")
    {
        var total = 0.0;
        foreach (var line in (await ExportAsync(registry)).Split('\n'))
        {
            if ((line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal)) && line.Contains(labelFilter, StringComparison.Ordinal))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}
