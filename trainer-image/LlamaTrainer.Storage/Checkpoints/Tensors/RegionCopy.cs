namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>
/// Copies the elements two boxes of one tensor share between their row-major buffers: a stored piece into the region a
/// rank wants. Pure; the runs are as long as the layouts allow (whole rows, or whole blocks of rows when the trailing
/// dimensions are complete in both boxes).
/// </summary>
public static class RegionCopy
{
    /// <summary>
    /// Copies <paramref name="source"/> ∩ <paramref name="target"/> from <paramref name="sourceBytes"/> (row-major in
    /// source's box) to <paramref name="targetBytes"/> (row-major in target's box); other target bytes are left alone.
    /// Returns the number of elements copied (0 when the boxes are disjoint).
    /// </summary>
    public static long Copy(TensorRegion source, ReadOnlySpan<byte> sourceBytes, TensorRegion target, Span<byte> targetBytes, int elementSize)
    {
        RequireBytes(source, sourceBytes.Length, elementSize, nameof(sourceBytes));
        RequireBytes(target, targetBytes.Length, elementSize, nameof(targetBytes));
        long bytes = 0;
        foreach (var run in Runs(source, target, elementSize))
        {
            sourceBytes.Slice(checked((int)run.SourceOffset), checked((int)run.Bytes)).CopyTo(targetBytes[checked((int)run.TargetOffset)..]);
            bytes += run.Bytes;
        }
        return bytes / elementSize;
    }

    /// <summary>The runs of <paramref name="source"/> ∩ <paramref name="target"/>, in increasing source (and target) offset; none when disjoint.</summary>
    public static IEnumerable<ByteRun> Runs(TensorRegion source, TensorRegion target, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(elementSize, 1);
        var shared = source.Intersect(target); // checks the ranks agree
        return shared is null ? [] : Enumerate(source, target, shared, elementSize);
    }

    private static IEnumerable<ByteRun> Enumerate(TensorRegion source, TensorRegion target, TensorRegion shared, int elementSize)
    {
        var rank = shared.Rank;
        // Dimensions after 'inner' are complete in the shared box, the source and the target, so a run spans them all.
        var inner = rank - 1;
        while (inner > 0 && shared.Length[inner] == source.Length[inner] && shared.Length[inner] == target.Length[inner])
        {
            inner--;
        }
        var sourceStrides = Strides(source.Length);
        var targetStrides = Strides(target.Length);
        var runBytes = (long)elementSize * (rank == 0 ? 1 : shared.Length[inner] * sourceStrides[inner]);
        // An odometer over the shared box's dimensions before 'inner', last fastest: row-major, so offsets increase.
        var index = new long[Math.Max(inner, 0)];
        while (true)
        {
            long sourceOffset = 0;
            long targetOffset = 0;
            for (var d = 0; d < rank; d++)
            {
                var at = shared.Start[d] + (d < inner ? index[d] : 0);
                sourceOffset += (at - source.Start[d]) * sourceStrides[d];
                targetOffset += (at - target.Start[d]) * targetStrides[d];
            }
            yield return new ByteRun(sourceOffset * elementSize, targetOffset * elementSize, runBytes);
            var carry = inner - 1;
            while (carry >= 0 && ++index[carry] == shared.Length[carry])
            {
                index[carry--] = 0;
            }
            if (carry < 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Elements between consecutive indices of each dimension in a row-major box of these lengths.</summary>
    private static long[] Strides(IReadOnlyList<long> lengths)
    {
        var strides = new long[lengths.Count];
        long stride = 1;
        for (var d = lengths.Count - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= lengths[d];
        }
        return strides;
    }

    private static void RequireBytes(TensorRegion region, int actual, int elementSize, string paramName)
    {
        var expected = region.ElementCount * elementSize;
        if (actual != expected)
        {
            throw new ArgumentException($"buffer has {actual} bytes; region {region} of {elementSize}-byte elements needs {expected}", paramName);
        }
    }
}
