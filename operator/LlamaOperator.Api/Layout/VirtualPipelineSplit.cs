namespace LlamaOperator.Api.Layout;

/// <summary>One chunk of a pipeline rank: virtual stage <paramref name="VirtualStage"/>, layers [FirstLayer, FirstLayer + Layers).</summary>
public sealed record PipelineChunk(int VirtualStage, int FirstLayer, int Layers);

/// <summary>
/// The layers of an interleaved pipeline (Megatron's virtual stages, <c>parallelism.virtualStages</c> = V): the model
/// is split into pp * V virtual stages by <see cref="PipelineLayerSplit"/>, and pipeline rank r holds virtual stages
/// r, r + pp, ..., r + (V - 1) * pp, its V chunks, in model order. Virtual stage 0 (on rank 0) also holds the embedding,
/// virtual stage pp * V - 1 (on rank pp - 1) the final norm and output head. V = 1 is the plain split, rank r holding
/// stage r. The rank layout does not depend on V.
/// </summary>
public sealed class VirtualPipelineSplit
{
    private readonly int[] _layers;

    private VirtualPipelineSplit(int pp, int virtualStages, int[] layersPerVirtualStage)
    {
        Pp = pp;
        VirtualStages = virtualStages;
        _layers = layersPerVirtualStage;
        LayersPerRank = [.. Enumerable.Range(0, pp).Select(rank => ChunksOf(rank).Sum(chunk => chunk.Layers))];
    }

    public int Pp { get; }

    /// <summary>Chunks per pipeline rank (V).</summary>
    public int VirtualStages { get; }

    /// <summary>pp * V.</summary>
    public int Stages => Pp * VirtualStages;

    /// <summary>Layers of each virtual stage, in model order.</summary>
    public IReadOnlyList<int> LayersPerVirtualStage => _layers;

    /// <summary>Layers each pipeline rank holds: the sum over its V chunks.</summary>
    public IReadOnlyList<int> LayersPerRank { get; }

    /// <summary>The split of <paramref name="layers"/> layers; throws <see cref="PlanException"/> naming the field under <paramref name="field"/> (the parallelism spec's path) at fault.</summary>
    public static VirtualPipelineSplit Of(int layers, int pp, int virtualStages, string field = "parallelism")
    {
        if (FindProblem(pp, virtualStages, layers) is { } problem)
        {
            throw new PlanException($"{field}.{problem.Field}", problem.Message);
        }

        return new VirtualPipelineSplit(pp, virtualStages, PipelineLayerSplit.LayersPerStage(layers, pp * virtualStages, field + ".pp"));
    }

    /// <summary>The split whose pp * V virtual stages hold <paramref name="layersPerVirtualStage"/> layers (a split made by <see cref="PipelineLayerSplit"/>).</summary>
    public static VirtualPipelineSplit FromVirtualStages(int pp, int virtualStages, IReadOnlyList<int> layersPerVirtualStage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pp, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualStages, 1);
        ArgumentNullException.ThrowIfNull(layersPerVirtualStage);
        if (layersPerVirtualStage.Count != pp * virtualStages || layersPerVirtualStage.Any(layers => layers < 1))
        {
            throw new ArgumentException($"expected {pp} * {virtualStages} virtual stages of at least one layer, got [{string.Join(", ", layersPerVirtualStage)}]", nameof(layersPerVirtualStage));
        }

        return new VirtualPipelineSplit(pp, virtualStages, [.. layersPerVirtualStage]);
    }

    /// <summary>
    /// Why pp and V cannot split the model: the field of the parallelism spec at fault (pp or virtualStages) and what
    /// was expected; null when they can. Without <paramref name="layers"/> (the model is unknown) only pp and V are checked.
    /// </summary>
    public static (string Field, string Message)? FindProblem(int pp, int virtualStages, int? layers)
    {
        if (pp < 1)
        {
            return ("pp", $"expected an integer >= 1, found {pp}");
        }

        if (virtualStages < 1)
        {
            return ("virtualStages", $"expected an integer >= 1, found {virtualStages}");
        }

        if (virtualStages > 1 && pp == 1)
        {
            return ("virtualStages", $"expected 1 when pp is 1: virtual stages interleave chunks of layers over the pipeline ranks, so more than one needs pp > 1, found {virtualStages}");
        }

        if (layers < pp)
        {
            return ("pp", $"expected at most the model's layers ({layers}) pipeline stages, found {pp}");
        }

        if (layers < (long)pp * virtualStages)
        {
            return ("virtualStages", $"expected pp * virtualStages at most the model's layers ({layers}): every virtual stage needs a layer, found {pp} * {virtualStages} = {(long)pp * virtualStages}");
        }

        return null;
    }

    /// <summary>The virtual stage that is chunk <paramref name="chunk"/> (0 to V - 1) of pipeline rank <paramref name="rank"/>.</summary>
    public int VirtualStageOf(int rank, int chunk)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Pp);
        ArgumentOutOfRangeException.ThrowIfNegative(chunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunk, VirtualStages);
        return rank + (chunk * Pp);
    }

    /// <summary>The first layer of virtual stage <paramref name="virtualStage"/>.</summary>
    public int FirstLayerOf(int virtualStage) => _layers.Take(virtualStage).Sum();

    /// <summary>The V chunks of pipeline rank <paramref name="rank"/>, in model order.</summary>
    public IReadOnlyList<PipelineChunk> ChunksOf(int rank) =>
        [.. Enumerable.Range(0, VirtualStages).Select(chunk => VirtualStageOf(rank, chunk)).Select(stage => new PipelineChunk(stage, FirstLayerOf(stage), _layers[stage]))];
}
