using TorchSharp.Modules;
using static TorchSharp.torch.utils.tensorboard;

namespace LlamaTrainer.Metrics;

/// <summary>TensorBoard scalars (train/loss, train/lr, ...) by global step, in an events file under a folder.</summary>
public sealed class TensorBoardMetricsSink(string folder) : IMetricsSink
{
    private readonly SummaryWriter _writer = SummaryWriter(folder, createRunName: false);

    public void Report(StepMetrics metrics)
    {
        var step = (int)Math.Min(metrics.Step, int.MaxValue);
        _writer.add_scalar("train/loss", (float)metrics.Loss, step);
        _writer.add_scalar("train/lr", (float)metrics.LearningRate, step);
        _writer.add_scalar("train/grad_norm", (float)metrics.GradNorm, step);
        _writer.add_scalar("train/tokens_per_second", (float)metrics.TokensPerSecond, step);
        _writer.add_scalar("train/flops_per_second", (float)metrics.FlopsPerSecond, step);
        if (metrics.Mfu is { } mfu)
        {
            _writer.add_scalar("train/mfu", (float)mfu, step);
        }
    }
}
