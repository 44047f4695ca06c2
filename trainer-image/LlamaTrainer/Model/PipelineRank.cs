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

    /// <summary>Rank <paramref name="rank"/> of <paramref name="ranks"/>, each holding <paramref name="virtualStages"/> of the ranks x virtualStages stages.</summary>
    public static PipelineRank Of(ModelConfig model, int ranks, int virtualStages, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualStages, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ranks);
        var stages = Enumerable.Range(0, virtualStages).Select(v => PipelineStage.Of(model, ranks * virtualStages, v * ranks + rank)).ToList();
        return new PipelineRank(rank, ranks, stages);
    }
}
