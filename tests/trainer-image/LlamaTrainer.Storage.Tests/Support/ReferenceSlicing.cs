using LlamaTrainer.Storage.Checkpoints.Tensors;

namespace LlamaTrainer.Storage.Tests.Support;

/// <summary>Element-by-element slicing of a row-major tensor: slow and obviously right, the reference region reads are compared with.</summary>
public static class ReferenceSlicing
{
    /// <summary>The bytes of <paramref name="box"/> of a tensor of <paramref name="shape"/>, row-major in the box's shape.</summary>
    public static byte[] Slice(byte[] global, IReadOnlyList<long> shape, TensorRegion box, int elementSize)
    {
        var slice = new byte[box.ElementCount * elementSize];
        ForEachIndex(box, index =>
            global.AsSpan((int)(Flat(index, TensorRegion.Whole(shape)) * elementSize), elementSize).CopyTo(slice.AsSpan((int)(Flat(index, box) * elementSize))));
        return slice;
    }

    /// <summary>Copies the elements of <paramref name="piece"/> that lie in <paramref name="target"/> from the global tensor into the target's buffer.</summary>
    public static void CopyShared(byte[] global, IReadOnlyList<long> shape, TensorRegion piece, TensorRegion target, byte[] targetBytes, int elementSize) =>
        ForEachIndex(target, index =>
        {
            if (index.Select((i, d) => i >= piece.Start[d] && i < piece.Start[d] + piece.Length[d]).All(inside => inside))
            {
                global.AsSpan((int)(Flat(index, TensorRegion.Whole(shape)) * elementSize), elementSize).CopyTo(targetBytes.AsSpan((int)(Flat(index, target) * elementSize)));
            }
        });

    private static long Flat(long[] index, TensorRegion box)
    {
        long flat = 0;
        for (var d = 0; d < index.Length; d++)
        {
            flat = (flat * box.Length[d]) + (index[d] - box.Start[d]);
        }
        return flat;
    }

    private static void ForEachIndex(TensorRegion box, Action<long[]> visit)
    {
        var count = box.ElementCount;
        for (long n = 0; n < count; n++)
        {
            var index = new long[box.Rank];
            var rest = n;
            for (var d = box.Rank - 1; d >= 0; d--)
            {
                index[d] = box.Start[d] + (rest % box.Length[d]);
                rest /= box.Length[d];
            }
            visit(index);
        }
    }
}
