using k8s;
using k8s.Models;
using LlamaOperator.Runtime.Caching;
using Serilog;

namespace LlamaOperator.Runtime.Informers;

/// <summary>
/// Keeps a <see cref="Cache{T}"/> in step with the API server by list + watch (client-go's reflector and
/// shared informer): watches resume from the last resourceVersion seen, a 410 Gone relists at once, other
/// failures relist after an exponential backoff; a relist turns differences into add/update/delete events.
/// </summary>
public sealed class Informer<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListerWatcher<T> _source;
    private readonly InformerOptions _options;
    private readonly ILogger _log;
    private readonly Lock _dispatchGate = new();
    private readonly List<IResourceEventHandler<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _resourceVersion;
    private int _started;

    public Informer(string name, IListerWatcher<T> source, InformerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _source = source;
        _options = options ?? new InformerOptions();
        _log = (_options.Logger ?? Log.Logger).ForContext<Informer<T>>().ForContext("Informer", name);
    }

    public string Name { get; }

    public Cache<T> Cache { get; } = new();

    /// <summary>True once the first list is in the cache and its add events were delivered.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the next watch starts from.</summary>
    public string? LastSyncResourceVersion => _resourceVersion;

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Registers a handler; if the informer already has objects, the handler first gets an add for each.</summary>
    public void AddEventHandler(IResourceEventHandler<T> handler)
    {
        lock (_dispatchGate)
        {
            _handlers.Add(handler);
            foreach (var obj in Cache.List())
            {
                Deliver(handler, h => h.OnAdd(obj));
            }
        }
    }

    /// <summary>Lists and watches until cancelled. An informer runs once.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException($"Informer '{Name}' is already running; an informer runs once.");
        }

        var backoff = _options.InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await _source.ListAsync(cancellationToken);
                Replace(list.Items);
                _resourceVersion = list.ResourceVersion;
                _synced.TrySetResult();
                _log.Debug("Listed {Count} objects at resourceVersion {ResourceVersion}", list.Items.Count, list.ResourceVersion);

                while (true)
                {
                    if (await WatchOnceAsync(cancellationToken))
                    {
                        backoff = _options.InitialBackoff;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ResourceVersionExpiredException e)
            {
                _log.Information("Watch expired ({Reason}); relisting", e.Message);
            }
            catch (Exception e)
            {
                _log.Warning(e, "List/watch failed; relisting in {Backoff}", backoff);
                try
                {
                    await Task.Delay(backoff, _options.TimeProvider, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Runs one watch to its end; returns whether it delivered any event.</summary>
    private async Task<bool> WatchOnceAsync(CancellationToken cancellationToken)
    {
        var started = _options.TimeProvider.GetTimestamp();
        var events = 0;
        await foreach (var e in _source.WatchAsync(_resourceVersion!, cancellationToken))
        {
            Apply(e);
            events++;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (events == 0 && _options.TimeProvider.GetElapsedTime(started) < _options.MinWatchDuration)
        {
            throw new InvalidOperationException($"The watch closed after {_options.TimeProvider.GetElapsedTime(started)} without any event.");
        }

        return events > 0;
    }

    private void Apply(WatchEvent<T> e)
    {
        lock (_dispatchGate)
        {
            switch (e.Type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    var old = Cache.Upsert(e.Object);
                    if (old is null)
                    {
                        Dispatch(h => h.OnAdd(e.Object));
                    }
                    else
                    {
                        Dispatch(h => h.OnUpdate(old, e.Object));
                    }

                    break;
                case WatchEventType.Deleted:
                    var last = Cache.Remove(ObjectKey.From(e.Object));
                    Dispatch(h => h.OnDelete(e.Object ?? last!));
                    break;
                case WatchEventType.Bookmark:
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected watch event type {e.Type}.");
            }

            var version = e.Object?.Metadata?.ResourceVersion;
            if (!string.IsNullOrEmpty(version))
            {
                _resourceVersion = version;
            }
        }
    }

    private void Replace(IReadOnlyList<T> items)
    {
        lock (_dispatchGate)
        {
            var listed = new HashSet<ObjectKey>();
            foreach (var obj in items)
            {
                listed.Add(ObjectKey.From(obj));
                var old = Cache.Upsert(obj);
                if (old is null)
                {
                    Dispatch(h => h.OnAdd(obj));
                }
                else
                {
                    Dispatch(h => h.OnUpdate(old, obj));
                }
            }

            foreach (var gone in Cache.List().Where(o => !listed.Contains(ObjectKey.From(o))))
            {
                Cache.Remove(ObjectKey.From(gone));
                Dispatch(h => h.OnDelete(gone));
            }
        }
    }

    private void Dispatch(Action<IResourceEventHandler<T>> action)
    {
        foreach (var handler in _handlers)
        {
            Deliver(handler, action);
        }
    }

    private void Deliver(IResourceEventHandler<T> handler, Action<IResourceEventHandler<T>> action)
    {
        try
        {
            action(handler);
        }
        catch (Exception e)
        {
            // One faulty handler must not stop the cache from following the server.
            _log.Error(e, "Event handler {Handler} failed", handler.GetType().Name);
        }
    }
}
