namespace LlamaTrainer.Collectives;

/// <summary>The checks every backend makes on a new group's name and ranks before it connects anything.</summary>
internal static class GroupMembers
{
    /// <summary>
    /// This rank's index in <paramref name="globalRanks"/>, after checking that the name is new, the ranks are distinct
    /// members of the world and this rank is one of them; a clear ArgumentException otherwise.
    /// </summary>
    public static int Validate(string name, IReadOnlyList<int> globalRanks, int globalRank, int worldSize, IReadOnlySet<string> usedNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(globalRanks);
        if (usedNames.Contains(name))
            throw new ArgumentException($"group name {name} is already used by this backend; every group needs its own name", nameof(name));
        if (globalRanks.Count == 0)
            throw new ArgumentException($"group {name} has no ranks", nameof(globalRanks));
        foreach (var r in globalRanks)
        {
            if (r < 0 || r >= worldSize)
                throw new ArgumentException($"group {name} lists global rank {r}, outside the world of {worldSize}", nameof(globalRanks));
        }
        if (globalRanks.Distinct().Count() != globalRanks.Count)
            throw new ArgumentException($"group {name} lists a global rank twice ({string.Join(", ", globalRanks)})", nameof(globalRanks));
        for (var i = 0; i < globalRanks.Count; i++)
        {
            if (globalRanks[i] == globalRank)
                return i;
        }
        throw new ArgumentException($"global rank {globalRank} is not in group {name} (global ranks {string.Join(", ", globalRanks)}); only members create a group", nameof(globalRanks));
    }

    /// <summary>How errors and logs name the group.</summary>
    public static string Describe(string name, IReadOnlyList<int> globalRanks) => $"group {name} (global ranks {string.Join(", ", globalRanks)})";
}
