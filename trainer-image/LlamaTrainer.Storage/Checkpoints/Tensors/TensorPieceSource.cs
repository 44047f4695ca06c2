namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>
/// A piece a rank writes: the region of tensor <paramref name="Tensor"/> (of global <paramref name="Shape"/>) it owns,
/// and a callback that writes exactly that region's bytes, row-major in the region's shape. The callback must not
/// dispose the stream it is given.
/// </summary>
public sealed record TensorPieceSource(string Tensor, ElementType Type, IReadOnlyList<long> Shape, TensorRegion Region, Func<Stream, CancellationToken, Task> WriteAsync)
{
    /// <summary>A piece whose bytes are already in memory (e.g. copied off the GPU).</summary>
    public static TensorPieceSource FromBytes(string tensor, ElementType type, IReadOnlyList<long> shape, TensorRegion region, ReadOnlyMemory<byte> bytes) =>
        new(tensor, type, shape, region, (stream, cancellationToken) => stream.WriteAsync(bytes, cancellationToken).AsTask());

    /// <summary>Why this piece cannot be written (name, type, shape, region), or null.</summary>
    internal string? FindProblem()
    {
        if (string.IsNullOrWhiteSpace(Tensor))
        {
            return "the tensor name is empty; expected the parameter's name";
        }
        if (!Enum.IsDefined(Type))
        {
            return $"tensor '{Tensor}': type {Type} is unknown; expected one of {string.Join(", ", Enum.GetNames<ElementType>())}";
        }
        if (Shape.Any(size => size < 0))
        {
            return $"tensor '{Tensor}': shape {TensorRegion.Format(Shape)} has a negative size";
        }
        return Region.FindProblem(Shape) is { } problem ? $"tensor '{Tensor}': {problem}" : null;
    }
}
