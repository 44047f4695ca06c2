namespace LlamaOperator.Api.Layout;

/// <summary>
/// One communication group. With the [TP, CP, PP, DP] order every group is an arithmetic progression of
/// ranks (fix all coordinates but the group's own), so three numbers describe it: no member arrays, which
/// keeps a 16K-GPU plan allocation-free.
/// </summary>
public readonly record struct RankGroup(ParallelDimension Dimension, long First, long Stride, int Size)
{
    public long this[int index] =>
        (uint)index < (uint)Size ? First + (index * Stride) : throw new ArgumentOutOfRangeException(nameof(index), $"group of size {Size} has no member {index}");

    public bool Contains(long rank) =>
        rank >= First && (rank - First) % Stride == 0 && (rank - First) / Stride < Size;

    public IEnumerable<long> Members()
    {
        for (var i = 0; i < Size; i++)
        {
            yield return First + (i * Stride);
        }
    }
}
