using System.Collections.Immutable;
using LlamaOperator.DevCluster.Resources;

namespace LlamaOperator.DevCluster.Store;

/// <summary>The objects of one kind, its bounded event history (for watch resume) and its watchers. Guarded by the store's lock.</summary>
internal sealed class KindTable(ResourceKind kind, int historySize)
{
    private readonly Queue<WatchRecord> _history = new();

    public ResourceKind Kind { get; } = kind;
    public Dictionary<(string Namespace, string Name), StoredObject> Objects { get; } = [];
    public ImmutableArray<Watcher> Watchers { get; set; } = [];

    /// <summary>Revision of the newest event dropped from the history; a watch from before it is 410 Gone.</summary>
    public long CompactedRevision { get; private set; }

    public IEnumerable<WatchRecord> History => _history;

    public void Record(WatchRecord record)
    {
        _history.Enqueue(record);
        while (_history.Count > historySize)
        {
            CompactedRevision = _history.Dequeue().Revision;
        }
    }
}
