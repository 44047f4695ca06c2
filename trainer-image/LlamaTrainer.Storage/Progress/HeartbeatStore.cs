namespace LlamaTrainer.Storage.Progress;

/// <summary>Writes and reads heartbeat.json at the root of a job's store.</summary>
public sealed class HeartbeatStore(IObjectStore store)
{
    public const string Key = "heartbeat.json";

    private readonly IObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Overwrites the heartbeat (a small atomic put); a non-UTC time is converted to UTC.</summary>
    public Task WriteAsync(Heartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        return StoredJson.WriteAsync(_store, Key, heartbeat with { Time = heartbeat.Time.ToUniversalTime() }, cancellationToken);
    }

    /// <summary>The last heartbeat; null when the trainer has not written one yet. A malformed one throws <see cref="InvalidDataException"/>.</summary>
    public Task<Heartbeat?> ReadAsync(CancellationToken cancellationToken = default) =>
        StoredJson.ReadAsync<Heartbeat>(_store, Key, cancellationToken);
}
