using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;

namespace LlamaTrainer.Benchmarks;

/// <summary>
/// The bytes rank 0's collectives move in one optimizer step of a tensor-, pipeline- and data-parallel layout, derived
/// from the algorithm (by <see cref="LlamaTrainer.Collectives.MeteredCommunicator"/>'s convention), for `bench
/// parallel` to set beside what it measures. Rank 0 holds the first pipeline rank's L layers (its V chunks'). Per micro-batch of
/// N = b x S tokens, TP moves all-reduces of N x dim activations: forward the embedding's and each layer's two
/// row-parallel outputs, backward each layer's two column-parallel inputs (and, on a stage with the output head, its
/// input and the vocabulary-parallel loss's (TP + 2) x N fp32 values); 2 x L more with activation checkpointing (the
/// recomputed forward); with replicated K/V heads the two K/V weight gradients of every layer. CP all-gathers every
/// layer's K and V of the rank's N / CP tokens forward (again when recomputed) and reduce-scatters their gradients
/// backward, all-reduces the gradient buckets before DP's reduce-scatter, and sums the loss. PP moves N x dim hidden
/// states or gradients across each of the 2V - 1 stage boundaries rank 0 touches, both ways, and sums the loss. DP reduce-scatters the fp32 gradient
/// (once a step for fp32 weights, else per micro-batch) and all-gathers the weights, DP x the elements rank 0 owns
/// each, plus the loss sum; the world sums the squared gradient norm.
/// </summary>
public static class CommunicationVolume
{
    public static GroupTraffic PerStep(ModelConfig model, ResolvedParallelism layout, int sequenceLength, int microBatch, int globalSequences, ActivationCheckpointing checkpointing, int weightBytes)
    {
        var split = TensorParallelSplit.Of(model, layout.Tp, 0);
        var rank = PipelineRank.Of(model, layout.Pp, layout.VirtualStages, 0);
        var layers = rank.Stages.Sum(s => s.Layers);
        var microBatches = (long)globalSequences / microBatch / layout.Dp;
        long tokens = (long)microBatch * sequenceLength / layout.Cp;
        long activation = tokens * model.Dim * weightBytes;
        var recomputed = checkpointing == ActivationCheckpointing.Full;
        long tp = 0;
        if (layout.Tp > 1)
        {
            var allReduces = 1 + (4L * layers) + (recomputed ? 2L * layers : 0) + (rank.HoldsLast ? 1 : 0);
            var perMicroBatch = (allReduces * activation) + (rank.HoldsLast ? (layout.Tp + 2L) * tokens * sizeof(float) : 0);
            if (split.KvReplicas > 1)
            {
                perMicroBatch += 2L * layers * model.KvHeads * model.HeadDim * model.Dim * weightBytes;
            }

            tp = perMicroBatch * microBatches;
        }

        var pp = layout.Pp > 1 ? (2 * ((2L * layout.VirtualStages) - 1) * activation * microBatches) + sizeof(double) : 0;
        var owned = rank.Stages.SelectMany(s => split.Parameters(s.FirstLayer, s.Layers, s.IsFirst, s.IsLast)).Sum(p => p.ElementsOwnedByFirstOf(layout.Dp));
        var reductions = weightBytes == sizeof(float) ? 1 : microBatches;
        var gradientBuckets = layout.Dp * owned * sizeof(float) * reductions;
        long cp = 0;
        if (layout.Cp > 1)
        {
            var keysAndValues = 2L * layout.Cp * tokens * split.KvHeads * model.HeadDim * weightBytes;
            cp = (keysAndValues * layers * (recomputed ? 3 : 2) * microBatches) + gradientBuckets + sizeof(double);
        }

        var dp = layout.Dp > 1 ? gradientBuckets + (layout.Dp * owned * weightBytes) + sizeof(double) : 0;
        return new GroupTraffic(World: layout.WorldSize > 1 ? sizeof(double) : 0, Tp: tp, Cp: cp, Pp: pp, Dp: dp);
    }
}
