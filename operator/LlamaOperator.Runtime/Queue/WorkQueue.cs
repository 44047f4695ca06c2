namespace LlamaOperator.Runtime.Queue;

/// <summary>
/// A rate-limited delaying work queue with client-go semantics: a key waits at most once however many
/// times it is added (dirty set), a key is never handed to two workers at once (processing set; a key
/// re-added while processing is handed out again after <see cref="Done"/>), delayed adds are driven by
/// one timer, and failures back off per key.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Queue<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = [];
    private readonly Dictionary<TKey, long> _processingSince = [];
    private readonly Dictionary<TKey, long> _waitingSince = [];
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly DelaySchedule<TKey> _delayed = new();
    private readonly TimeProvider _time;
    private readonly IRateLimiter<TKey> _limiter;
    private readonly WorkQueueMetrics.Bound _metrics;
    private readonly ITimer _timer;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Shutdown _shutdown;

    public WorkQueue(string name, WorkQueueOptions<TKey>? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        options ??= new WorkQueueOptions<TKey>();
        Name = name;
        _time = options.TimeProvider;
        _limiter = options.RateLimiter ?? RateLimiters.DefaultController<TKey>(_time);
        _metrics = (options.Metrics ?? new WorkQueueMetrics()).For(name);
        _timer = _time.CreateTimer(_ => PromoteDueKeys(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private enum Shutdown
    {
        None,
        Drain,
        Immediate,
    }

    public string Name { get; }

    /// <summary>Keys waiting to be handed out (not counting delayed or in-flight keys).</summary>
    public int Length
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Keys scheduled by AddAfter / AddRateLimited whose time has not come yet.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_gate)
            {
                return _delayed.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shutdown != Shutdown.None;
            }
        }
    }

    /// <summary>Marks <paramref name="key"/> as needing work. Ignored after shutdown.</summary>
    public void Add(TKey key)
    {
        lock (_gate)
        {
            AddLocked(key);
        }
    }

    /// <summary>Adds <paramref name="key"/> once <paramref name="delay"/> has passed; an earlier pending time wins.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        lock (_gate)
        {
            if (_shutdown != Shutdown.None)
            {
                return;
            }

            if (delay <= TimeSpan.Zero)
            {
                AddLocked(key);
                return;
            }

            if (_delayed.Schedule(key, _time.GetUtcNow() + delay))
            {
                ArmTimerLocked();
            }
        }
    }

    /// <summary>Re-adds <paramref name="key"/> after the rate limiter's delay (a retry).</summary>
    public void AddRateLimited(TKey key)
    {
        var delay = _limiter.When(key);
        _metrics.Retries.Inc();
        AddAfter(key, delay);
    }

    /// <summary>Ends the backoff history of <paramref name="key"/>; call it when the key was processed successfully.</summary>
    public void Forget(TKey key) => _limiter.Forget(key);

    public int NumRequeues(TKey key) => _limiter.NumRequeues(key);

    /// <summary>
    /// Waits for the next key and marks it as processing; the caller must call <see cref="Done"/> with it.
    /// Returns a shut-down item when the queue shut down (immediately, or once drained of waiting keys).
    /// </summary>
    public Task<WorkItem<TKey>> GetAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_shutdown == Shutdown.Immediate)
            {
                return Task.FromResult(WorkItem<TKey>.ShutDown);
            }

            if (_queue.Count > 0)
            {
                return Task.FromResult(new WorkItem<TKey>(HandOutLocked(), false));
            }

            if (_shutdown == Shutdown.Drain)
            {
                return Task.FromResult(WorkItem<TKey>.ShutDown);
            }

            var waiter = new Waiter();
            var node = _waiters.AddLast(waiter);
            waiter.Registration = cancellationToken.Register(() => CancelWaiter(node, cancellationToken));
            return waiter.Completion.Task;
        }
    }

    /// <summary>Ends processing of <paramref name="key"/>; if it was added meanwhile it goes back in the queue.</summary>
    public void Done(TKey key)
    {
        lock (_gate)
        {
            if (!_processingSince.Remove(key, out var startedAt))
            {
                throw new InvalidOperationException($"Work queue '{Name}': Done({key}) was called for a key that is not being processed.");
            }

            _metrics.WorkDuration.Observe(_time.GetElapsedTime(startedAt).TotalSeconds);
            if (_dirty.Contains(key) && _shutdown != Shutdown.Immediate)
            {
                EnqueueLocked(key);
                DispatchLocked();
            }

            CheckDrainedLocked();
        }
    }

    /// <summary>Stops the queue now: new adds are ignored and every waiting or later GetAsync returns shut down.</summary>
    public void ShutDown()
    {
        List<Waiter> released;
        lock (_gate)
        {
            _shutdown = Shutdown.Immediate;
            _queue.Clear();
            _waitingSince.Clear();
            released = StopLocked();
            _drained.TrySetResult();
        }

        Release(released);
    }

    /// <summary>
    /// Stops accepting adds, lets workers finish every key already waiting or in flight, and completes
    /// when none is left. Delayed keys that are not yet due are dropped.
    /// </summary>
    public Task ShutDownWithDrainAsync()
    {
        List<Waiter> released;
        lock (_gate)
        {
            if (_shutdown == Shutdown.None)
            {
                _shutdown = Shutdown.Drain;
            }

            // Waiters exist only while the queue is empty, so none of them will get a key any more.
            released = StopLocked();
            CheckDrainedLocked();
        }

        Release(released);
        return _drained.Task;
    }

    public void Dispose()
    {
        ShutDown();
        _timer.Dispose();
    }

    private void AddLocked(TKey key)
    {
        if (_shutdown != Shutdown.None || !_dirty.Add(key))
        {
            return;
        }

        _metrics.Adds.Inc();
        if (_processingSince.ContainsKey(key))
        {
            return;
        }

        EnqueueLocked(key);
        DispatchLocked();
    }

    private void EnqueueLocked(TKey key)
    {
        _queue.Enqueue(key);
        _waitingSince[key] = _time.GetTimestamp();
        _metrics.Depth.Set(_queue.Count);
    }

    private TKey HandOutLocked()
    {
        var key = _queue.Dequeue();
        _metrics.Depth.Set(_queue.Count);
        _dirty.Remove(key);
        var now = _time.GetTimestamp();
        if (_waitingSince.Remove(key, out var since))
        {
            _metrics.QueueDuration.Observe(_time.GetElapsedTime(since, now).TotalSeconds);
        }

        _processingSince[key] = now;
        return key;
    }

    private void DispatchLocked()
    {
        while (_queue.Count > 0 && _waiters.First is { } node)
        {
            _waiters.RemoveFirst();
            var waiter = node.Value;
            // Unregister (not Dispose): Dispose would wait for a running cancel callback that needs this lock.
            waiter.Registration.Unregister();
            waiter.Completion.TrySetResult(new WorkItem<TKey>(HandOutLocked(), false));
        }
    }

    private void CancelWaiter(LinkedListNode<Waiter> node, CancellationToken token)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return; // already handed a key or released by shutdown
            }

            _waiters.Remove(node);
        }

        node.Value.Completion.TrySetCanceled(token);
    }

    private void PromoteDueKeys()
    {
        lock (_gate)
        {
            foreach (var key in _delayed.PopDue(_time.GetUtcNow()))
            {
                AddLocked(key);
            }

            ArmTimerLocked();
        }
    }

    private void ArmTimerLocked()
    {
        if (_shutdown != Shutdown.None)
        {
            return;
        }

        var earliest = _delayed.Earliest();
        if (earliest is null)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var wait = earliest.Value - _time.GetUtcNow();
        _timer.Change(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private List<Waiter> StopLocked()
    {
        _delayed.Clear();
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _metrics.Depth.Set(_queue.Count);
        var released = _waiters.ToList();
        _waiters.Clear();
        return released;
    }

    private void CheckDrainedLocked()
    {
        if (_shutdown != Shutdown.None && _queue.Count == 0 && _processingSince.Count == 0)
        {
            _drained.TrySetResult();
        }
    }

    private static void Release(List<Waiter> waiters)
    {
        foreach (var waiter in waiters)
        {
            waiter.Registration.Unregister();
            waiter.Completion.TrySetResult(WorkItem<TKey>.ShutDown);
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<WorkItem<TKey>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
