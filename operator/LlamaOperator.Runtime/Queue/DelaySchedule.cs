namespace LlamaOperator.Runtime.Queue;

/// <summary>
/// Keys waiting for a ready time, earliest first, one entry per key (the earliest time wins). A heap
/// plus a map keeps scheduling O(log n) for thousands of keys; superseded heap entries are skipped lazily.
/// Not thread-safe: the queue guards it.
/// </summary>
internal sealed class DelaySchedule<TKey>
    where TKey : notnull
{
    private readonly PriorityQueue<TKey, DateTimeOffset> _heap = new();
    private readonly Dictionary<TKey, DateTimeOffset> _readyAt = [];

    public int Count => _readyAt.Count;

    /// <summary>Schedules <paramref name="key"/>; returns false when it is already due earlier or at the same time.</summary>
    public bool Schedule(TKey key, DateTimeOffset readyAt)
    {
        if (_readyAt.TryGetValue(key, out var existing) && existing <= readyAt)
        {
            return false;
        }

        _readyAt[key] = readyAt;
        _heap.Enqueue(key, readyAt);
        return true;
    }

    public List<TKey> PopDue(DateTimeOffset now)
    {
        var due = new List<TKey>();
        while (_heap.TryPeek(out var key, out var at) && at <= now)
        {
            _heap.Dequeue();
            if (IsCurrent(key, at))
            {
                _readyAt.Remove(key);
                due.Add(key);
            }
        }

        return due;
    }

    public DateTimeOffset? Earliest()
    {
        while (_heap.TryPeek(out var key, out var at))
        {
            if (IsCurrent(key, at))
            {
                return at;
            }

            _heap.Dequeue();
        }

        return null;
    }

    public void Clear()
    {
        _heap.Clear();
        _readyAt.Clear();
    }

    private bool IsCurrent(TKey key, DateTimeOffset at) => _readyAt.TryGetValue(key, out var current) && current == at;
}
