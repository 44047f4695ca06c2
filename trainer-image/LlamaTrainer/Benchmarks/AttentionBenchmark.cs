using System.Diagnostics;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Benchmarks;

/// <summary>One attention length's figures: peak memory added by a forward and backward, and its time.</summary>
public sealed record AttentionMemory(int SequenceLength, long PeakBytes, TimeSpan Elapsed, long DenseMaskBytes);

/// <summary>
/// Peak memory of one attention layer's forward and backward over a single document of T tokens, per T: linear in T
/// when no T x T tensor is built. The dense boolean mask the earlier formulation built is given for comparison.
/// </summary>
public static class AttentionBenchmark
{
    /// <summary>Small enough for 64K tokens on 2 CPU cores: 2 query heads sharing 1 K/V head of 32 dimensions.</summary>
    public static readonly ModelConfig Model = new(
        Layers: 1, Dim: 64, FfnDim: 128, Heads: 2, KvHeads: 1, VocabSize: 256, RopeTheta: 500_000, NormEps: 1e-5, PeakLr: 3e-4);

    public static IReadOnlyList<AttentionMemory> Run(IEnumerable<int> sequenceLengths)
    {
        var ordered = sequenceLengths.Order().ToList();
        if (ordered.Count == 0 || ordered[0] < 1)
            throw new ArgumentException("--lengths: expected one or more positive sequence lengths");
        Measure(ordered[0]); // warm-up: libtorch's first calls allocate its thread pool and kernel buffers
        return ordered.Select(Measure).ToList();
    }

    private static AttentionMemory Measure(int length)
    {
        manual_seed(1);
        using var attention = new Attention(Model, TensorParallel.Single(Model));
        var clock = new Stopwatch();
        var peak = PeakMemory.BytesAddedBy(() =>
        {
            using var scope = NewDisposeScope();
            clock.Start();
            var x = randn(1, length, Model.Dim).requires_grad_();
            var positions = arange(length, dtype: ScalarType.Int64).unsqueeze(0);
            var (cos, sin) = RotaryEmbedding.Angles(positions, Model.HeadDim, Model.RopeTheta, ScalarType.Float32);
            using var documents = DocumentSegments.Of(zeros(1, length, dtype: ScalarType.Int64));
            attention.forward(x, cos, sin, documents).sum().backward();
            clock.Stop();
        });
        var groups = Model.Heads / Model.KvHeads;
        return new AttentionMemory(length, peak, clock.Elapsed, (long)groups * length * length);
    }
}
