using System.Collections.Concurrent;

namespace LlamaTrainer.Storage.Tests.Support;

/// <summary>A store that passes everything on and records which objects were opened for reading, and which ranges.</summary>
public sealed class RecordingStore(IObjectStore inner) : IObjectStore
{
    private readonly ConcurrentQueue<(string Key, long Offset, long? Length)> _reads = new();

    public IReadOnlyList<(string Key, long Offset, long? Length)> Reads => [.. _reads];

    public string Location => inner.Location;

    public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        _reads.Enqueue((key, 0, null));
        return inner.OpenReadAsync(key, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        _reads.Enqueue((key, offset, length));
        return inner.OpenReadAsync(key, offset, length, cancellationToken);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
}
