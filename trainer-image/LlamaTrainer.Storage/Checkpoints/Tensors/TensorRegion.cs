using System.Globalization;
using System.Text.Json.Serialization;

namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>
/// An N-d box inside a tensor's global shape: per dimension the first index and the extent. A scalar's region has no
/// dimensions and one element. Equality compares the numbers, so regions read back from JSON equal the ones written.
/// </summary>
public sealed record TensorRegion(IReadOnlyList<long> Start, IReadOnlyList<long> Length)
{
    /// <summary>The whole of a tensor of this shape.</summary>
    public static TensorRegion Whole(IReadOnlyList<long> shape) => new(new long[shape.Count], [.. shape]);

    /// <summary>Rows [<paramref name="first"/>, first + count) along dimension 0, whole in the other dimensions: what a data- or tensor-parallel rank owns of a row-split tensor.</summary>
    public static TensorRegion Rows(IReadOnlyList<long> shape, long first, long count)
    {
        ArgumentOutOfRangeException.ThrowIfZero(shape.Count, nameof(shape));
        var start = new long[shape.Count];
        start[0] = first;
        var length = shape.ToArray();
        length[0] = count;
        return new TensorRegion(start, length);
    }

    [JsonIgnore]
    public int Rank => Start.Count;

    /// <summary>The number of elements (the product of the lengths); throws <see cref="OverflowException"/> past long.</summary>
    [JsonIgnore]
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var length in Length)
            {
                count = checked(count * length);
            }
            return count;
        }
    }

    /// <summary>Why this is not a box inside <paramref name="shape"/> (dimensions, bounds), or null when it is one.</summary>
    public string? FindProblem(IReadOnlyList<long> shape)
    {
        if (Start.Count != Length.Count)
        {
            return $"region has {Start.Count} start values and {Length.Count} lengths; expected one of each per dimension";
        }
        if (Start.Count != shape.Count)
        {
            return $"region {this} has {Start.Count} dimensions; the tensor's shape {Format(shape)} has {shape.Count}";
        }
        for (var d = 0; d < shape.Count; d++)
        {
            if (Start[d] < 0 || Length[d] < 0 || Start[d] > shape[d] - Length[d])
            {
                return $"region {this} lies outside the shape {Format(shape)} in dimension {d}";
            }
        }
        return null;
    }

    /// <summary>The box both regions contain, or null when they share no element. Both must have the same rank.</summary>
    public TensorRegion? Intersect(TensorRegion other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Rank != Rank)
        {
            throw new ArgumentException($"region {other} has {other.Rank} dimensions; expected {Rank} like {this}", nameof(other));
        }
        var start = new long[Rank];
        var length = new long[Rank];
        for (var d = 0; d < Rank; d++)
        {
            start[d] = Math.Max(Start[d], other.Start[d]);
            var end = Math.Min(Start[d] + Length[d], other.Start[d] + other.Length[d]);
            if (end <= start[d])
            {
                return null;
            }
            length[d] = end - start[d];
        }
        return new TensorRegion(start, length);
    }

    public bool Equals(TensorRegion? other) =>
        other is not null && Start.SequenceEqual(other.Start) && Length.SequenceEqual(other.Length);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in Start.Concat(Length))
        {
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    /// <summary>Half-open ranges per dimension, e.g. [0..4)x[8..16); a scalar's is [].</summary>
    public override string ToString() =>
        Rank == 0 ? "[]" : string.Join("x", Start.Zip(Length, (s, l) => string.Create(CultureInfo.InvariantCulture, $"[{s}..{s + l})")));

    internal static string Format(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";
}
