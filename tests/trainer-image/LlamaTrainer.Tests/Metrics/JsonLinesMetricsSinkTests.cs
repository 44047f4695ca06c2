using System.Text.Json;
using LlamaTrainer.Metrics;

namespace LlamaTrainer.Tests.Metrics;

public class JsonLinesMetricsSinkTests
{
    [Fact]
    public void Each_step_becomes_one_json_line_with_loss_lr_and_throughput()
    {
        var path = Path.Combine(Path.GetTempPath(), $"metrics-{Guid.NewGuid():N}", "metrics.jsonl");
        using (var sink = new JsonLinesMetricsSink(path))
        {
            sink.Report(new StepMetrics(1, 100, 100, 4.5, 1e-3, 0.9, 0.5, 200, 1e9, null));
            sink.Report(new StepMetrics(2, 200, 200, 4.25, 2e-3, 0.8, 0.5, 200, 1e9, 0.4));
        }

        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(2, lines.Count);
        Assert.Equal(4.25, lines[1].GetProperty("loss").GetDouble());
        Assert.Equal(2e-3, lines[1].GetProperty("learningRate").GetDouble());
        Assert.Equal(200, lines[1].GetProperty("tokensPerSecond").GetDouble());
        Assert.Equal(0.4, lines[1].GetProperty("mfu").GetDouble());
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
