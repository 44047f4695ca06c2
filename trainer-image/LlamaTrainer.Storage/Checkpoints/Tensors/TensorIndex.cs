namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>
/// Every tensor of a format-2 checkpoint and where its pieces are, stored as <see cref="FileName"/> (one object per
/// checkpoint, listed in the manifest with its digest), so any layout can find the pieces it needs without reading
/// the others.
/// </summary>
public sealed record TensorIndex(IReadOnlyList<StoredTensor> Tensors)
{
    public const string FileName = "tensors.json";

    /// <summary>
    /// The index of a checkpoint from what each rank wrote: a tensor's pieces from every rank that holds part of it,
    /// by rank. Throws <see cref="ArgumentException"/> when a rank appears twice or ranks disagree on a tensor's type or shape.
    /// </summary>
    public static TensorIndex FromRanks(IEnumerable<RankShard> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        var byName = new Dictionary<string, (StoredTensor Tensor, int Rank, List<StoredPiece> Pieces)>(StringComparer.Ordinal);
        var order = new List<string>();
        var seen = new HashSet<int>();
        foreach (var rank in ranks.OrderBy(r => r.Rank))
        {
            if (!seen.Add(rank.Rank))
            {
                throw new ArgumentException($"rank {rank.Rank} appears twice; expected one shard per rank", nameof(ranks));
            }
            foreach (var tensor in rank.Tensors)
            {
                if (!byName.TryGetValue(tensor.Name, out var merged))
                {
                    byName[tensor.Name] = merged = (tensor, rank.Rank, []);
                    order.Add(tensor.Name);
                }
                else if (merged.Tensor.Type != tensor.Type || !merged.Tensor.Shape.SequenceEqual(tensor.Shape))
                {
                    throw new ArgumentException(
                        $"tensor '{tensor.Name}' is {tensor.Type} {TensorRegion.Format(tensor.Shape)} on rank {rank.Rank} but {merged.Tensor.Type} {TensorRegion.Format(merged.Tensor.Shape)} on rank {merged.Rank}",
                        nameof(ranks));
                }
                merged.Pieces.AddRange(tensor.Pieces);
            }
        }
        return new TensorIndex([.. order.Select(name => byName[name].Tensor with { Pieces = byName[name].Pieces })]);
    }

    /// <summary>The tensor of that name; throws <see cref="ArgumentException"/> listing a few names when there is none.</summary>
    public StoredTensor Find(string name) =>
        Tensors.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no tensor '{name}' in the checkpoint; it has {Tensors.Count}: {string.Join(", ", Tensors.Take(8).Select(t => t.Name))}{(Tensors.Count > 8 ? ", ..." : "")}", nameof(name));

    /// <summary>
    /// The first reason this index is not usable, naming the tensor (null when usable): a tensor needs a unique name, a
    /// known type and a shape of sizes >= 0; each piece a shard in <paramref name="shardBytes"/> (name to size) that
    /// holds its byte range, exactly its region's bytes, a SHA-256 and a non-empty region inside the shape; and the
    /// pieces must not overlap and must cover the shape exactly.
    /// </summary>
    public string? FindProblem(IReadOnlyDictionary<string, long> shardBytes)
    {
        ArgumentNullException.ThrowIfNull(shardBytes);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in Tensors)
        {
            if (string.IsNullOrWhiteSpace(tensor.Name))
            {
                return "a tensor has an empty name; expected the parameter's name";
            }
            if (!names.Add(tensor.Name))
            {
                return $"tensor '{tensor.Name}' appears twice; expected one entry per tensor";
            }
            if (FindProblem(tensor, shardBytes) is { } problem)
            {
                return $"tensor '{tensor.Name}': {problem}";
            }
        }
        return null;
    }

    private static string? FindProblem(StoredTensor tensor, IReadOnlyDictionary<string, long> shardBytes)
    {
        if (!Enum.IsDefined(tensor.Type))
        {
            return $"type {tensor.Type} is unknown; expected one of {string.Join(", ", Enum.GetNames<ElementType>())}";
        }
        if (tensor.Shape.Any(size => size < 0))
        {
            return $"shape {TensorRegion.Format(tensor.Shape)} has a negative size";
        }
        long total;
        try
        {
            total = TensorRegion.Whole(tensor.Shape).ElementCount;
        }
        catch (OverflowException)
        {
            return $"shape {TensorRegion.Format(tensor.Shape)} has more elements than a long counts";
        }
        Int128 covered = 0; // overlapping pieces may hold more than a long counts
        for (var i = 0; i < tensor.Pieces.Count; i++)
        {
            if (FindProblem(tensor, tensor.Pieces[i], shardBytes) is { } problem)
            {
                return $"piece {i} ({tensor.Pieces[i].Shard}) {problem}";
            }
            covered += tensor.Pieces[i].Region.ElementCount;
        }
        if (FindOverlap(tensor.Pieces) is { } overlap)
        {
            return overlap;
        }
        return covered == total ? null : $"the pieces hold {covered} of its {total} elements; every element needs exactly one piece";
    }

    private static string? FindProblem(StoredTensor tensor, StoredPiece piece, IReadOnlyDictionary<string, long> shardBytes)
    {
        if (piece.Region.FindProblem(tensor.Shape) is { } regionProblem)
        {
            return regionProblem;
        }
        var elements = piece.Region.ElementCount;
        if (elements == 0)
        {
            return $"region {piece.Region} is empty; a rank that owns nothing of a tensor stores no piece of it";
        }
        var expected = (Int128)elements * tensor.Type.SizeOf();
        if (piece.Bytes != expected)
        {
            return $"has {piece.Bytes} bytes; its region {piece.Region} of {tensor.Type} needs {expected}";
        }
        if (piece.Sha256 is not { Length: 64 } || !piece.Sha256.All(char.IsAsciiHexDigit))
        {
            return $"has sha256 '{piece.Sha256}'; expected 64 hex digits";
        }
        if (!shardBytes.TryGetValue(piece.Shard, out var size))
        {
            return $"is in shard '{piece.Shard}', which the checkpoint does not list";
        }
        if (piece.Offset < 0 || piece.Offset > size - piece.Bytes)
        {
            return $"spans bytes [{piece.Offset}, {piece.Offset + piece.Bytes}) of a shard of {size} bytes";
        }
        return null;
    }

    /// <summary>
    /// Two pieces that share an element, if any. Sorting along the dimension where the pieces' starts differ most
    /// (rows for a data-parallel split, columns for a column-parallel one) lets each piece be compared only with those
    /// that begin before it ends there, so typical layouts cost about n log n.
    /// </summary>
    private static string? FindOverlap(IReadOnlyList<StoredPiece> pieces)
    {
        var rank = pieces.Count == 0 ? 0 : pieces[0].Region.Rank;
        var sweep = rank == 0 ? 0 : Enumerable.Range(0, rank).MaxBy(d => pieces.Select(p => p.Region.Start[d]).Distinct().Count());
        var order = Enumerable.Range(0, pieces.Count).OrderBy(i => rank == 0 ? 0 : pieces[i].Region.Start[sweep]).ToArray();
        for (var a = 0; a < order.Length; a++)
        {
            var first = pieces[order[a]].Region;
            for (var b = a + 1; b < order.Length; b++)
            {
                var second = pieces[order[b]].Region;
                if (rank > 0 && second.Start[sweep] >= first.Start[sweep] + first.Length[sweep])
                {
                    break;
                }
                if (first.Intersect(second) is { } shared)
                {
                    var (i, j) = (Math.Min(order[a], order[b]), Math.Max(order[a], order[b]));
                    return $"pieces {i} ({pieces[i].Shard}) and {j} ({pieces[j].Shard}) overlap in {shared}";
                }
            }
        }
        return null;
    }
}
