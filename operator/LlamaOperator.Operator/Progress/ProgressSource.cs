using System.Collections.Concurrent;
using k8s;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Lifecycle;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Progress;
using Serilog;
using ObjectKey = LlamaOperator.Runtime.Caching.ObjectKey;

namespace LlamaOperator.Operator.Progress;

/// <summary>The progress of one read: what storage showed (or the last good read), and the error when storage could not be read.</summary>
public sealed record ProgressRead(ObservedProgress Progress, string? Error);

/// <summary>
/// Reads each job's progress from its checkpoint store, at most once per refresh interval: reconciles come with
/// every pod event, and a storage read is a few requests. A failed read keeps the last good progress (a storage
/// outage must not look like a hung trainer) and reports the error.
/// </summary>
/// <remarks>
/// Pass fresh when a decision hinges on the newest checkpoint: a trainer commits its stage-end checkpoint and then
/// exits, so a pod seen exited must be judged against a read made after it, never a cached one from before.
/// </remarks>
public sealed class ProgressSource(BlobCredentialReader credentials, TimeSpan refresh, TimeProvider time, ILogger log)
{
    private readonly ConcurrentDictionary<ObjectKey, Entry> _entries = new();

    public ProgressSource(IKubernetes client, TimeSpan refresh, TimeProvider time, ILogger log)
        : this(new BlobCredentialReader(client), refresh, time, log)
    {
    }

    public async Task<ProgressRead> ReadAsync(ObjectKey job, ResolvedJob resolved, bool fresh, CancellationToken cancellationToken)
    {
        var location = CheckpointLocation.Of(resolved);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(job, out var cached) && !fresh && cached.Location == location && now - cached.ReadAt < refresh)
        {
            return new ProgressRead(cached.Progress, cached.Error);
        }

        try
        {
            var blob = await credentials.ReadAsync(resolved.Namespace, location, cancellationToken);
            var progress = ProgressMapping.Map(await new ProgressReader(ObjectStores.Open(location.Uri, blob), log).ReadAsync(cancellationToken));
            _entries[job] = new Entry(location, now, progress, null);
            return new ProgressRead(progress, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var lastGood = cached?.Location == location ? cached.Progress : ObservedProgress.None;
            var error = $"reading progress from {location.Uri}: {e.Message}";
            log.Warning("Could not read progress from {CheckpointUri}: {Error}", location.Uri, e.Message);
            _entries[job] = new Entry(location, now, lastGood, error);
            return new ProgressRead(lastGood, error);
        }
    }

    /// <summary>Drops a deleted job's entry.</summary>
    public void Forget(ObjectKey job) => _entries.TryRemove(job, out _);

    private sealed record Entry(CheckpointLocation Location, DateTimeOffset ReadAt, ObservedProgress Progress, string? Error);
}
