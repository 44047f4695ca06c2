using k8s;
using k8s.Models;
using LlamaOperator.Runtime.Health;
using LlamaOperator.Runtime.Informers;
using Serilog;

namespace LlamaOperator.Runtime.Controllers;

/// <summary>
/// The informers and controllers that run together (one leader term): informers start first and report
/// their sync state to readiness, controllers start once every cache has synced, and everything stops
/// together when cancelled or when any part fails or ends on its own. Build a fresh set per term.
/// </summary>
public sealed class ControllerSet
{
    private readonly ReadinessGate _readiness;
    private readonly ILogger _log;
    private readonly List<Part> _informers = [];
    private readonly List<Part> _controllers = [];
    private int _started;

    public ControllerSet(ReadinessGate readiness, ILogger? logger = null)
    {
        _readiness = readiness;
        _log = (logger ?? Log.Logger).ForContext<ControllerSet>();
    }

    public Informer<T> Add<T>(Informer<T> informer)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        EnsureNotStarted();
        _informers.Add(new Part($"informer {informer.Name}", informer.RunAsync, () => informer.HasSynced, informer.WaitForSyncAsync));
        return informer;
    }

    public Controller<TKey> Add<TKey>(Controller<TKey> controller)
        where TKey : notnull
    {
        EnsureNotStarted();
        _controllers.Add(new Part($"controller {controller.Name}", controller.RunAsync));
        return controller;
    }

    /// <summary>Anything else that runs with the controllers, e.g. <see cref="Events.EventRecorder.RunAsync"/>.</summary>
    public void Add(string name, Func<CancellationToken, Task> run)
    {
        EnsureNotStarted();
        _controllers.Add(new Part(name, run));
    }

    /// <summary>Runs until cancelled (returns), or until a part fails or ends on its own (throws, after stopping the rest).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("A ControllerSet runs once; build a new one for the next term.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var registrations = _informers.Select(i => _readiness.Register(i.Name, i.HasSynced!)).ToList();
        var running = new List<(Part Part, Task Task)>();
        try
        {
            running.AddRange(_informers.Select(i => (i, Start(i, stop.Token))));
            var stopped = Task.Delay(Timeout.Infinite, stop.Token);
            var synced = Task.WhenAll(_informers.Select(i => i.WaitForSync!(stop.Token)));
            if (await Task.WhenAny(running.Select(r => r.Task).Append(synced).Append(stopped)) == synced && synced.IsCompletedSuccessfully)
            {
                _log.Information("{Informers} caches synced; starting {Count} controllers", _informers.Count, _controllers.Count);
                running.AddRange(_controllers.Select(c => (c, Start(c, stop.Token))));
            }

            var first = await Task.WhenAny(running.Select(r => r.Task).Append(stopped));
            await stop.CancelAsync();
            await Task.WhenAll(running.Select(r => r.Task)).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

            if (running.FirstOrDefault(r => r.Task.IsFaulted) is { Task: not null } failed)
            {
                var error = failed.Task.Exception!.InnerException!;
                throw new InvalidOperationException($"{failed.Part.Name} failed: {error.Message}", error);
            }

            if (!cancellationToken.IsCancellationRequested && running.FirstOrDefault(r => r.Task == first) is { Task: not null } ended)
            {
                throw new InvalidOperationException($"{ended.Part.Name} stopped on its own.");
            }
        }
        finally
        {
            registrations.ForEach(r => r.Dispose());
        }
    }

    private static Task Start(Part part, CancellationToken cancellationToken) => Task.Run(() => part.Run(cancellationToken), CancellationToken.None);

    private void EnsureNotStarted()
    {
        if (Volatile.Read(ref _started) == 1)
        {
            throw new InvalidOperationException("Parts must be added before the ControllerSet runs.");
        }
    }

    private sealed record Part(
        string Name,
        Func<CancellationToken, Task> Run,
        Func<bool>? HasSynced = null,
        Func<CancellationToken, Task>? WaitForSync = null);
}
