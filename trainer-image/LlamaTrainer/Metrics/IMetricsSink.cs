namespace LlamaTrainer.Metrics;

/// <summary>Receives every step's metrics (JSON lines, TensorBoard, heartbeat, ...).</summary>
public interface IMetricsSink
{
    void Report(StepMetrics metrics);
}
