using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Layout;

/// <summary>
/// One parameter as one tensor-parallel rank holds it: the global shape, the box held (start and length per dimension)
/// and whether this rank is the one that saves it (a tensor replicated over TP ranks is saved by its first holder).
/// </summary>
public sealed record ParameterShard(string Name, long[] Shape, long[] Start, long[] Length, bool Primary)
{
    public long Elements => Length.Aggregate(1L, (a, b) => a * b);

    /// <summary>The elements DP rank 0 (the busiest) owns of this box under ZeRO: its <see cref="RowShard"/> of the rows.</summary>
    public long ElementsOwnedByFirstOf(int dp) => RowShard.RowsPerRank(Length[0], dp) * (Elements / Length[0]);
}

/// <summary>
/// Megatron's tensor-parallel split of the Llama model, the one rule the trainer builds its layers from and the planner
/// counts memory with. wq/wk/wv and w1/w3 are split by output rows (column-parallel), wo and w2 by input columns
/// (row-parallel); query heads split evenly; K/V heads split when TP divides them and are replicated when TP is a
/// multiple of them (each rank then holds one K/V head, shared by TP / kvHeads ranks); the vocabulary (embedding and
/// output head rows) and the feed-forward width split by <see cref="RowShard"/>, so neither needs to divide by TP;
/// norm gains are replicated.
/// </summary>
public sealed record TensorParallelSplit
{
    private TensorParallelSplit(ModelConfig model, int size, int rank)
    {
        Model = model;
        Size = size;
        Rank = rank;
    }

    public ModelConfig Model { get; }

    public int Size { get; }

    public int Rank { get; }

    /// <summary>Query heads on this rank.</summary>
    public int Heads => Model.Heads / Size;

    /// <summary>K/V heads on this rank.</summary>
    public int KvHeads => Model.KvHeads >= Size ? Model.KvHeads / Size : 1;

    /// <summary>How many TP ranks hold each K/V head: 1 when the heads are split, TP / kvHeads when replicated.</summary>
    public int KvReplicas => Model.KvHeads >= Size ? 1 : Size / Model.KvHeads;

    /// <summary>The global index of this rank's first K/V head.</summary>
    public int FirstKvHead => Rank / KvReplicas * KvHeads;

    /// <summary>This rank's rows of the feed-forward width (w1, w3 rows; w2 columns).</summary>
    public RowShard Ffn => RowShard.Of(Model.FfnDim, Size, Rank);

    /// <summary>This rank's token ids (embedding and output head rows).</summary>
    public RowShard Vocab => RowShard.Of(Model.VocabSize, Size, Rank);

    /// <summary>The split of <paramref name="model"/> at tp = <paramref name="size"/>; throws <see cref="PlanException"/> naming <paramref name="field"/> when the model does not split that way.</summary>
    public static TensorParallelSplit Of(ModelConfig model, int size, int rank, string field = "parallelism.tp")
    {
        ArgumentNullException.ThrowIfNull(model);
        if (FindProblem(model, size) is { } problem)
        {
            throw new PlanException(field, problem);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, size);
        return new TensorParallelSplit(model, size, rank);
    }

    /// <summary>Why <paramref name="model"/> cannot be split over <paramref name="size"/> TP ranks, or null when it can.</summary>
    public static string? FindProblem(ModelConfig model, int size)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (size < 1)
        {
            return $"expected an integer >= 1, found {size}";
        }

        if (model.Heads % size != 0)
        {
            return $"expected a divisor of the model's attention heads ({model.Heads}), found {size}";
        }

        if (model.KvHeads % size != 0 && size % model.KvHeads != 0)
        {
            return $"expected a divisor or a multiple of the model's key/value heads ({model.KvHeads}): K/V heads are split or replicated whole, found {size}";
        }

        foreach (var (what, rows) in new[] { ("feed-forward width", (long)model.FfnDim), ("vocabulary", model.VocabSize) })
        {
            if (RowShard.Of(rows, size, size - 1).Count == 0)
            {
                return $"expected at most as many TP ranks as the {what} ({rows}) splits into with a row on every rank, found {size}";
            }
        }

        return null;
    }

    /// <summary>Every parameter of the whole model, in the order the trainer's model registers them.</summary>
    public IReadOnlyList<ParameterShard> Parameters() => Parameters(0, Model.Layers, embedding: true, output: true);

    /// <summary>
    /// The parameters of layers [<paramref name="firstLayer"/>, + <paramref name="layers"/>), with the input embedding
    /// and the output head (final norm and projection) when asked: one pipeline stage's.
    /// </summary>
    public IReadOnlyList<ParameterShard> Parameters(int firstLayer, int layers, bool embedding, bool output)
    {
        long dim = Model.Dim, headDim = Model.HeadDim;
        var vocab = Vocab;
        var ffn = Ffn;
        var all = new List<ParameterShard>();
        if (embedding)
        {
            all.Add(SplitRows("tok_embeddings.weight", [Model.VocabSize, dim], vocab.Start, vocab.Count));
        }

        for (var layer = firstLayer; layer < firstLayer + layers; layer++)
        {
            var prefix = $"layers.{layer}.";
            all.Add(Replicated(prefix + "attention_norm.weight", [dim]));
            all.Add(Replicated(prefix + "ffn_norm.weight", [dim]));
            all.Add(SplitRows(prefix + "attention.wq.weight", [Model.Heads * headDim, dim], Rank * Heads * headDim, Heads * headDim));
            foreach (var kv in new[] { "wk", "wv" })
            {
                all.Add(SplitRows(prefix + $"attention.{kv}.weight", [Model.KvHeads * headDim, dim], FirstKvHead * headDim, KvHeads * headDim) with { Primary = Rank % KvReplicas == 0 });
            }

            all.Add(SplitColumns(prefix + "attention.wo.weight", [dim, Model.Heads * headDim], Rank * Heads * headDim, Heads * headDim));
            all.Add(SplitRows(prefix + "feed_forward.w1.weight", [Model.FfnDim, dim], ffn.Start, ffn.Count));
            all.Add(SplitColumns(prefix + "feed_forward.w2.weight", [dim, Model.FfnDim], ffn.Start, ffn.Count));
            all.Add(SplitRows(prefix + "feed_forward.w3.weight", [Model.FfnDim, dim], ffn.Start, ffn.Count));
        }

        if (output)
        {
            all.Add(Replicated("norm.weight", [dim]));
            all.Add(SplitRows("output.weight", [Model.VocabSize, dim], vocab.Start, vocab.Count));
        }

        return all;
    }

    private ParameterShard Replicated(string name, long[] shape) => new(name, shape, new long[shape.Length], [.. shape], Primary: Rank == 0);

    private static ParameterShard SplitRows(string name, long[] shape, long start, long count) =>
        new(name, shape, [start, 0], [count, shape[1]], Primary: true);

    private static ParameterShard SplitColumns(string name, long[] shape, long start, long count) =>
        new(name, shape, [0, start], [shape[0], count], Primary: true);
}
