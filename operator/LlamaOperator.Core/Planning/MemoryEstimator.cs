using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Planning;

/// <summary>
/// Per-GPU memory of the trainer, per pipeline rank s, returning the busiest rank. P_s = the parameters TP rank 0
/// holds of rank s (the layers of its virtual stages, <see cref="VirtualPipelineSplit"/>, plus the embedding on the first
/// rank and the output head on the last), counted tensor by tensor from the trainer's own split (<see cref="TensorParallelSplit"/>: replicated norms and K/V heads count whole);
/// Z_s = the elements of P_s that DP rank 0 owns under ZeRO (<see cref="RowShard"/> of every tensor's rows, about P_s / DP):
/// <list type="bullet">
/// <item>weights: 2 bytes (bf16) * P_s; not re-sharded after the forward pass (ZeRO-2-like);</item>
/// <item>gradients: 2 bytes * P_s for the bf16 gradients backward writes (whole: the trainer reduce-scatters them
/// after each micro-batch's backward, as TorchSharp has no per-parameter gradient hooks to free them earlier), plus
/// 4 bytes * Z_s for the fp32 accumulated gradient shard each rank keeps;</item>
/// <item>optimizer: 12 bytes (fp32 master, Adam m and v) * Z_s;</item>
/// <item>activations: L_s * A, L_s the most layers' activations of one micro-batch rank s holds at once
/// (<see cref="PeakLayersInFlight"/>: layers_s * min(PP - s, micro-batches) under 1F1B), plus fp32 logits of one
/// micro-batch on the last rank (b * S/CP * vocab/TP * 4). A, one layer for one micro-batch of b sequences of
/// length S, in bf16 = 2 bytes * [b*S/CP * (6*dim + 2*ffn) + b*S * 2*kvDim] / TP. Saved per token: attention norm
/// input and output, Q, attention output, MLP norm input and output (6*dim), the SwiGLU gate and up projections
/// (2*ffn; a fused SwiGLU recomputes its product), and K and V all-gathered over the whole sequence by CP.
/// Flash attention keeps no S*S scores; sequence parallelism shards the norm activations by TP. With activation
/// checkpointing (Full) a layer keeps only its input, 2 bytes * b*S/CP * dim / TP, in place of A, and backward
/// holds one layer's A while it recomputes that layer: L_s * input + A;</item>
/// <item>overhead: a fixed 4 GiB for the CUDA context, NCCL buffers and allocator fragmentation.</item>
/// </list>
/// Sanity: 8B, 8 GPUs DP-only, 8K: 85.7 GB at micro-batch 1, 119 GB at 2; 405B TP8 PP16 DP64 at 8K: 68.7 GB.
/// </summary>
public static class MemoryEstimator
{
    public const long OverheadBytes = 4L << 30;

    /// <summary>bf16 weights and the gradients backward writes, on a GPU; the CPU trainer keeps both in fp32 (4).</summary>
    public const int WeightBytesPerParameter = 2;
    private const int GradientShardBytesPerParameter = 4;
    private const int OptimizerBytesPerParameter = 12;
    private const int ActivationBytesPerValue = 2;
    private const int LogitBytesPerValue = 4;

    /// <param name="layersPerStage">Layers of each of the pp * <paramref name="virtualStages"/> virtual stages (<see cref="PipelineLayerSplit"/>).</param>
    /// <param name="virtualStages">Chunks per pipeline rank: 1 is 1F1B, more the interleaved schedule.</param>
    public static MemoryEstimate Estimate(
        ModelConfig model,
        ParallelLayout layout,
        IReadOnlyList<int> layersPerStage,
        int sequenceLength,
        int microBatchSize,
        long microBatches,
        ActivationCheckpointing checkpointing,
        double gpuMemoryGiB,
        int weightBytesPerParameter = WeightBytesPerParameter,
        int virtualStages = 1)
    {
        var pipeline = VirtualPipelineSplit.FromVirtualStages(layout.Pp, virtualStages, layersPerStage);
        var gpuMemory = (long)(gpuMemoryGiB * (1L << 30));
        var kvDim = (long)model.KvHeads * model.HeadDim;
        var localTokens = (double)microBatchSize * sequenceLength / layout.Cp;
        var layerActivations = ActivationBytesPerValue
            * ((localTokens * ((6.0 * model.Dim) + (2.0 * model.FfnDim))) + ((double)microBatchSize * sequenceLength * 2 * kvDim))
            / layout.Tp;
        var layerInput = ActivationBytesPerValue * localTokens * model.Dim / layout.Tp;
        var logits = localTokens * model.VocabSize / layout.Tp * LogitBytesPerValue;
        var split = TensorParallelSplit.Of(model, layout.Tp, 0);

        MemoryEstimate? worst = null;
        for (var s = 0; s < layout.Pp; s++)
        {
            var last = s == layout.Pp - 1;
            var parameters = pipeline.ChunksOf(s)
                .SelectMany(c => split.Parameters(c.FirstLayer, c.Layers, embedding: c.VirtualStage == 0, output: c.VirtualStage == pipeline.Stages - 1))
                .ToList();
            var perGpu = parameters.Sum(p => p.Elements);
            var owned = parameters.Sum(p => p.ElementsOwnedByFirstOf(layout.Dp));
            var inFlight = PeakLayersInFlight(pipeline, s, microBatches);
            var saved = checkpointing == ActivationCheckpointing.Full
                ? (inFlight * layerInput) + layerActivations
                : inFlight * layerActivations;
            var activations = saved + (last ? logits : 0);

            var estimate = new MemoryEstimate(
                PipelineStage: s,
                ParametersPerGpu: perGpu,
                WeightsBytes: perGpu * weightBytesPerParameter,
                GradientsBytes: (perGpu * weightBytesPerParameter) + (owned * GradientShardBytesPerParameter),
                OptimizerBytes: owned * OptimizerBytesPerParameter,
                ActivationsBytes: (long)Math.Ceiling(activations),
                OverheadBytes: OverheadBytes,
                GpuMemoryBytes: gpuMemory);
            if (worst is null || estimate.TotalBytes > worst.TotalBytes)
            {
                worst = estimate;
            }
        }

        return worst!;
    }

    /// <summary>
    /// The most layers whose activations of one micro-batch pipeline rank <paramref name="rank"/> keeps for backward at
    /// once, over the M micro-batches of a step. 1F1B (V = 1): min(pp - rank, M) micro-batches of all its layers.
    /// Interleaved (V &gt; 1, Megatron's schedule): W = min(2 * (pp - rank - 1) + (V - 1) * pp, M * V) warm-up forwards of
    /// single chunks, then one forward and one backward at a time; forwards take the micro-batches in groups of pp (the
    /// last may be smaller), each group through chunk 0, then 1, ... V - 1, and backwards the same groups from chunk
    /// V - 1 down. The peak, just after a forward, sums the layers of the live chunks, so small end chunks count small.
    /// </summary>
    public static long PeakLayersInFlight(VirtualPipelineSplit pipeline, int rank, long microBatches)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var chunks = pipeline.ChunksOf(rank).Select(c => (long)c.Layers).ToArray();
        var pp = pipeline.Pp;
        var v = pipeline.VirtualStages;
        microBatches = Math.Max(1, microBatches);
        var warmup = Math.Min(v == 1 ? pp - rank - 1 : (2L * (pp - rank - 1)) + ((long)(v - 1) * pp), microBatches * v);

        using var forwards = ChunkOrder(chunks, pp, microBatches, backward: false).GetEnumerator();
        using var backwards = ChunkOrder(chunks, pp, microBatches, backward: true).GetEnumerator();
        long live = 0;
        for (var i = 0L; i < warmup && forwards.MoveNext(); i++)
        {
            live += forwards.Current;
        }

        var peak = live;
        while (forwards.MoveNext() && backwards.MoveNext())
        {
            peak = Math.Max(peak, live + forwards.Current);
            live += forwards.Current - backwards.Current;
        }

        return peak;
    }

    /// <summary>The layers of each chunk a rank runs, in schedule order: groups of pp micro-batches, chunk by chunk (backwards: last chunk first).</summary>
    private static IEnumerable<long> ChunkOrder(long[] chunks, int pp, long microBatches, bool backward)
    {
        for (var first = 0L; first < microBatches; first += pp)
        {
            var group = Math.Min(pp, microBatches - first);
            for (var c = 0; c < chunks.Length; c++)
            {
                var layers = chunks[backward ? chunks.Length - 1 - c : c];
                for (var m = 0L; m < group; m++)
                {
                    yield return layers;
                }
            }
        }
    }
}
