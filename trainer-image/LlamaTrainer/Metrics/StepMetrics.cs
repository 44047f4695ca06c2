using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Training;

namespace LlamaTrainer.Metrics;

/// <summary>One step as reported: loss, learning rate, throughput, achieved FLOP/s and MFU against a peak.</summary>
public sealed record StepMetrics(
    long Step,
    long Tokens,
    long StageTokens,
    double Loss,
    double LearningRate,
    double GradNorm,
    double StepSeconds,
    double TokensPerSecond,
    double FlopsPerSecond,
    double? Mfu)
{
    /// <param name="peakFlopsPerSecond">the hardware's peak in the training precision; null leaves MFU out</param>
    public static StepMetrics From(StepResult step, ModelConfig model, double? peakFlopsPerSecond)
    {
        var seconds = Math.Max(step.Elapsed.TotalSeconds, 1e-9);
        var tokensPerSecond = step.BatchTokens / seconds;
        var flops = tokensPerSecond * FlopCounter.TrainingFlopsPerToken(model, step.SequenceLength);
        return new StepMetrics(
            step.State.Step, step.State.Tokens, step.State.StageTokens, step.Loss, step.LearningRate, step.GradNorm,
            seconds, tokensPerSecond, flops, peakFlopsPerSecond is > 0 ? flops / peakFlopsPerSecond : null);
    }
}
