using System.Text.Json;

namespace LlamaTrainer.Metrics;

/// <summary>Appends one JSON object per step to a file (metrics.jsonl), flushed so a tail sees it at once.</summary>
public sealed class JsonLinesMetricsSink : IMetricsSink, IDisposable
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    private readonly StreamWriter _writer;

    public JsonLinesMetricsSink(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void Report(StepMetrics metrics) => _writer.WriteLine(JsonSerializer.Serialize(metrics, Options));

    public void Dispose() => _writer.Dispose();
}
