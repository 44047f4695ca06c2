using System.Diagnostics;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Collectives;
using LlamaTrainer.Metrics;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Benchmarks;

/// <summary>
/// Full training steps (forward, backward, clipping, AdamW) of a model, against the FLOP/s of a large fp32 matmul
/// measured in the same process, so the ratio says how close the step runs to what this CPU can do.
/// </summary>
public static class TrainingBenchmark
{
    /// <summary>About 25M parameters: 6 layers of dim 512 (18.9M) plus an 8K-vocabulary embedding and head (8.4M).</summary>
    public static readonly ModelConfig Model25M = new(
        Layers: 6, Dim: 512, FfnDim: 1536, Heads: 8, KvHeads: 4, VocabSize: 8192, RopeTheta: 500_000, NormEps: 1e-5, PeakLr: 3e-4);

    public static TrainingBenchmarkResult Run(ModelConfig model, int sequenceLength, int microBatch, int warmupSteps, int measuredSteps, int matmulSize, ActivationCheckpointing checkpointing)
    {
        manual_seed(1);
        var stage = new StageSettings(
            "bench", 0, null, long.MaxValue,
            new BatchRamp(new BatchShape((long)sequenceLength * microBatch, sequenceLength), []),
            microBatch,
            new LearningRateSchedule(LrScheduleKind.Constant, 3e-4, 0, 1, 3e-4),
            0.9, 0.95, 1e-8, 0.1, 1.0, checkpointing, VirtualStages: 1);
        using var trainer = new Trainer(new LlamaTransformer(model), stage, new RandomTokens(model.VocabSize), ComputeDevice.Cpu, ProcessGroups.Single(), TrainingState.Start);
        for (int i = 0; i < warmupSteps; i++)
        {
            trainer.Step();
        }

        // On a shared machine the CPU share changes from second to second: each step is paired with a matmul
        // measured right before it, and the pair's ratio is what is reported (the median over the pairs).
        var flopsPerToken = FlopCounter.TrainingFlopsPerToken(model, sequenceLength);
        var samples = Enumerable.Range(0, measuredSteps).Select(_ =>
        {
            var matmul = MatmulFlopsPerSecond(matmulSize);
            var step = trainer.Step();
            var tokensPerSecond = step.BatchTokens / step.Elapsed.TotalSeconds;
            return (TokensPerSecond: tokensPerSecond, StepFlops: tokensPerSecond * flopsPerToken, Matmul: matmul);
        }).OrderBy(s => s.StepFlops / s.Matmul).ToList();
        var median = samples[samples.Count / 2];
        return new TrainingBenchmarkResult(model.ParameterCount, sequenceLength, microBatch, get_num_threads(), median.TokensPerSecond, median.StepFlops, median.Matmul);
    }

    /// <summary>FLOP/s of n x n fp32 matmuls (2 n^3 each): the best of a few, after one warm-up.</summary>
    public static double MatmulFlopsPerSecond(int n)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        a.matmul(b).Dispose(); // warm-up: thread pool, page faults
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            best = Math.Max(best, 2.0 * n * n * n / clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}

public sealed record TrainingBenchmarkResult(long Parameters, int SequenceLength, int MicroBatch, int Threads, double TokensPerSecond, double StepFlopsPerSecond, double MatmulFlopsPerSecond)
{
    public double RatioToMatmul => StepFlopsPerSecond / MatmulFlopsPerSecond;
}
