using System.Text;
using Serilog;

namespace LlamaTrainer.Collectives.Rendezvous;

/// <summary>The gang's first meeting: every rank checks in at the store, and each waits until all have.</summary>
public static class GangRendezvous
{
    private static readonly ILogger Logger = Log.ForContext(typeof(GangRendezvous));

    /// <summary>
    /// Checks in as <paramref name="globalRank"/> (key rank/&lt;r&gt;) and returns once all <paramref name="worldSize"/>
    /// ranks have; after <paramref name="timeout"/> throws <see cref="CollectiveTimeoutException"/> naming the ranks
    /// that did not arrive, the store's address and the generation.
    /// </summary>
    public static void Join(IKeyValueStore store, int globalRank, int worldSize, string generation, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        if (globalRank < 0 || globalRank >= worldSize)
            throw new ArgumentOutOfRangeException(nameof(globalRank), globalRank, $"global rank must be in 0..{worldSize - 1}");
        store.Set(Key(globalRank), Encoding.UTF8.GetBytes(generation));
        var keys = Enumerable.Range(0, worldSize).Select(Key).ToList();
        try
        {
            store.Wait(keys, timeout);
        }
        catch (CollectiveTimeoutException e)
        {
            var present = store.Check(keys);
            var missing = Enumerable.Range(0, worldSize).Where(r => !present[r]).ToList();
            throw new CollectiveTimeoutException(
                $"rank{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)} did not arrive at {store.Address} within {timeout.TotalSeconds:0.###} s (generation {generation})", e);
        }
        Logger.Information("Rank {Rank} met all {WorldSize} ranks of generation {Generation} at {Store}", globalRank, worldSize, generation, store.Address);
    }

    private static string Key(int rank) => $"rank/{rank}";
}
