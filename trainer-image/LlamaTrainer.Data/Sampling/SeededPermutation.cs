namespace LlamaTrainer.Data.Sampling;

/// <summary>Permutations that depend only on their seed parts, the same on every machine and .NET version.</summary>
public static class SeededPermutation
{
    /// <summary>A shuffled 0..count-1 (Fisher-Yates driven by SplitMix64).</summary>
    public static int[] Create(int count, params ReadOnlySpan<ulong> seedParts)
    {
        var state = 0x9E3779B97F4A7C15ul;
        foreach (var part in seedParts)
        {
            state = SplitMix(ref state) ^ part;
        }

        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(SplitMix(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>FNV-1a of a name, so that a source's order does not change when other sources are added.</summary>
    public static ulong HashName(string name)
    {
        var hash = 14695981039346656037ul;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 1099511628211ul;
        }

        return hash;
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15ul;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ul;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBul;
        return z ^ (z >> 31);
    }
}
