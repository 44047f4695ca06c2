using Prometheus;

namespace LlamaOperator.Runtime.Tests;

/// <summary>A private metrics registry per test, so tests read only their own numbers.</summary>
internal sealed class TestMetrics
{
    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public IMetricFactory Factory => Prometheus.Metrics.WithCustomRegistry(Registry);

    public async Task<string> ExportAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Like <see cref="ValueAsync"/>, but 0 while the labelled series has not been created yet.</summary>
    public async Task<double> ValueOrZeroAsync(string sample)
    {
        var text = await ExportAsync();
        return text.Contains(sample + " ", StringComparison.Ordinal) ? await ValueAsync(sample) : 0;
    }

    /// <summary>The value of one sample line, e.g. <c>workqueue_adds_total{name="q"}</c>.</summary>
    public async Task<double> ValueAsync(string sample)
    {
        var text = await ExportAsync();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(sample.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"Sample '{sample}' not found in:\n{text}");
    }
}
