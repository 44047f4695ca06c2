using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Model;

/// <summary>
/// The pipeline stages one rank of a pipeline of <see cref="Ranks"/> holds, in order: stage Rank, Rank + Ranks, ...
/// (Megatron's interleaved layout: with V virtual stages a rank holds V non-adjacent chunks of layers, and each
/// micro-batch passes every rank V times). With one virtual stage, rank r holds stage r alone.
/// </summary>
public sealed record PipelineRank(int Rank, int Ranks, IReadOnlyList<PipelineStage> Stages)
{
    /// <summary>Chunks held (the virtual stages per rank).</summary>
    public int VirtualStages => Stages.Count;

    /// <summary>Whether this rank embeds the tokens (it holds the first stage).</summary>
    public bool HoldsFirst => Stages[0].IsFirst;

    /// <summary>Whether this rank applies the final norm and the output head and takes the loss (it holds the last stage).</summary>
    public bool HoldsLast => Stages[^1].IsLast;

    /// <summary>The pipeline rank that holds stage <paramref name="stage"/>.</summary>
    public int RankOf(int stage) => stage % Ranks;

    /// <summary>The whole model on one rank.</summary>
    public static PipelineRank Whole(ModelConfig model) => new(0, 1, [PipelineStage.Whole(model)]);

    /// <summary>Rank <paramref name="rank"/> of <paramref name="ranks"/>: its chunks of the model's split into ranks x virtualStages stages (<see cref="VirtualPipelineSplit"/>).</summary>
    public static PipelineRank Of(ModelConfig model, int ranks, int virtualStages, int rank)
    {
        var split = VirtualPipelineSplit.Of(model.Layers, ranks, virtualStages);
        return new PipelineRank(rank, ranks, [.. split.ChunksOf(rank).Select(c => new PipelineStage(c.VirtualStage, split.Stages, c.FirstLayer, c.Layers))]);
    }
}
