using System.Collections.Concurrent;
using k8s;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Lifecycle;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Progress;
using Serilog;
using ObjectKey = LlamaOperator.Runtime.Caching.ObjectKey;

namespace LlamaOperator.Operator.Progress;

/// <summary>
/// The progress of one read: what storage showed (or the last good read), the error when storage could not be read,
/// and whether that error is new (the previous read succeeded or failed differently), to report it once.
/// </summary>
public sealed record ProgressRead(ObservedProgress Progress, string? Error, bool NewError = false);

/// <summary>
/// Reads each job's progress from its checkpoint store, at most once per refresh interval: reconciles come with
/// every pod event, and a storage read is a few requests. A failed read keeps the last good progress (a storage
/// outage must not look like a hung trainer) and reports the error.
/// </summary>
/// <remarks>
/// Pass fresh when a decision hinges on the newest checkpoint: a trainer commits its stage-end checkpoint and then
/// exits, so a pod seen exited must be judged against a read made after it, never a cached one from before.
/// </remarks>
/// <param name="timeout">A read that takes longer fails: the blob client retries a refused connection for a long while, and the reconcile waits on it.</param>
public sealed class ProgressSource(BlobCredentialReader credentials, TimeSpan refresh, TimeSpan timeout, TimeProvider time, ILogger log)
{
    private readonly ConcurrentDictionary<ObjectKey, Entry> _entries = new();

    public ProgressSource(IKubernetes client, TimeSpan refresh, TimeSpan timeout, TimeProvider time, ILogger log)
        : this(new BlobCredentialReader(client), refresh, timeout, time, log)
    {
    }

    /// <summary>How long an opened store (and the Secret it was opened with) is reused; a failed read reopens it at once.</summary>
    public static readonly TimeSpan StoreReuse = TimeSpan.FromMinutes(1);

    public async Task<ProgressRead> ReadAsync(ObjectKey job, ResolvedJob resolved, bool fresh, CancellationToken cancellationToken)
    {
        var location = CheckpointLocation.Of(resolved);
        var now = time.GetUtcNow();
        var cached = _entries.TryGetValue(job, out var entry) && entry.Location == location ? entry : null;
        if (cached is not null && !fresh && now - cached.ReadAt < refresh)
        {
            return new ProgressRead(cached.Progress, cached.Error);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            // Reusing the store keeps its credential (a workload-identity token) instead of fetching one per read.
            var store = cached is { Store: { } open, Error: null } && now - cached.OpenedAt < StoreReuse ? open : null;
            var openedAt = store is null ? now : cached!.OpenedAt;
            store ??= ObjectStores.Open(location.Uri, await credentials.ReadAsync(resolved.Namespace, location, deadline.Token));
            var progress = ProgressMapping.Map(await new ProgressReader(store, log).ReadAsync(deadline.Token));
            _entries[job] = new Entry(location, now, progress, null, store, openedAt);
            return new ProgressRead(progress, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var lastGood = cached?.Progress ?? ObservedProgress.None;
            var error = $"reading progress from {location.Uri}: {(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message)}";
            var isNew = cached?.Error != error;
            log.Write(isNew ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Debug, "Could not read progress from {CheckpointUri}: {Error}", location.Uri, e.Message);
            _entries[job] = new Entry(location, now, lastGood, error, null, now);
            return new ProgressRead(lastGood, error, isNew);
        }
    }

    /// <summary>Drops a deleted job's entry.</summary>
    public void Forget(ObjectKey job) => _entries.TryRemove(job, out _);

    private sealed record Entry(CheckpointLocation Location, DateTimeOffset ReadAt, ObservedProgress Progress, string? Error, IObjectStore? Store, DateTimeOffset OpenedAt);
}
