using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Planning;

/// <summary>
/// Per-GPU memory of the trainer, per pipeline stage s, returning the busiest stage. P_s = the parameters TP rank 0
/// holds of stage s (its layers, plus the embedding on the first and the output head on the last), counted tensor by
/// tensor from the trainer's own split (<see cref="TensorParallelSplit"/>: replicated norms and K/V heads count whole);
/// Z_s = the elements of P_s that DP rank 0 owns under ZeRO (<see cref="RowShard"/> of every tensor's rows, about P_s / DP):
/// <list type="bullet">
/// <item>weights: 2 bytes (bf16) * P_s; not re-sharded after the forward pass (ZeRO-2-like);</item>
/// <item>gradients: 2 bytes * P_s for the bf16 gradients backward writes (whole: the trainer reduce-scatters them
/// after each micro-batch's backward, as TorchSharp has no per-parameter gradient hooks to free them earlier), plus
/// 4 bytes * Z_s for the fp32 accumulated gradient shard each rank keeps;</item>
/// <item>optimizer: 12 bytes (fp32 master, Adam m and v) * Z_s;</item>
/// <item>activations: layers_s * A * min(PP - s, micro-batches), the 1F1B in-flight count, plus fp32 logits of one
/// micro-batch on the last stage (b * S/CP * vocab/TP * 4). A, one layer for one micro-batch of b sequences of
/// length S, in bf16 = 2 bytes * [b*S/CP * (6*dim + 2*ffn) + b*S * 2*kvDim] / TP. Saved per token: attention norm
/// input and output, Q, attention output, MLP norm input and output (6*dim), the SwiGLU gate and up projections
/// (2*ffn; a fused SwiGLU recomputes its product), and K and V all-gathered over the whole sequence by CP.
/// Flash attention keeps no S*S scores; sequence parallelism shards the norm activations by TP. With activation
/// checkpointing (Full) a layer keeps only its input, 2 bytes * b*S/CP * dim / TP, in place of A, and backward
/// holds one layer's A while it recomputes that layer: layers_s * input * in-flight + A;</item>
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

    public static MemoryEstimate Estimate(
        ModelConfig model,
        ParallelLayout layout,
        IReadOnlyList<int> layersPerStage,
        int sequenceLength,
        int microBatchSize,
        long microBatches,
        ActivationCheckpointing checkpointing,
        double gpuMemoryGiB,
        int weightBytesPerParameter = WeightBytesPerParameter)
    {
        if (layersPerStage.Count != layout.Pp)
        {
            throw new ArgumentException($"expected {layout.Pp} pipeline stages, got {layersPerStage.Count}", nameof(layersPerStage));
        }

        var gpuMemory = (long)(gpuMemoryGiB * (1L << 30));
        var kvDim = (long)model.KvHeads * model.HeadDim;
        var localTokens = (double)microBatchSize * sequenceLength / layout.Cp;
        var layerActivations = ActivationBytesPerValue
            * ((localTokens * ((6.0 * model.Dim) + (2.0 * model.FfnDim))) + ((double)microBatchSize * sequenceLength * 2 * kvDim))
            / layout.Tp;
        var layerInput = ActivationBytesPerValue * localTokens * model.Dim / layout.Tp;
        var logits = localTokens * model.VocabSize / layout.Tp * LogitBytesPerValue;

        MemoryEstimate? worst = null;
        for (var s = 0; s < layout.Pp; s++)
        {
            var first = s == 0;
            var last = s == layout.Pp - 1;
            var parameters = TensorParallelSplit.Of(model, layout.Tp, 0).Parameters(layersPerStage.Take(s).Sum(), layersPerStage[s], embedding: first, output: last);
            var perGpu = parameters.Sum(p => p.Elements);
            var owned = parameters.Sum(p => p.ElementsOwnedByFirstOf(layout.Dp));
            var inFlight = Math.Max(1, Math.Min(layout.Pp - s, microBatches));
            var saved = checkpointing == ActivationCheckpointing.Full
                ? (layersPerStage[s] * layerInput * inFlight) + layerActivations
                : layersPerStage[s] * layerActivations * inFlight;
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
}
