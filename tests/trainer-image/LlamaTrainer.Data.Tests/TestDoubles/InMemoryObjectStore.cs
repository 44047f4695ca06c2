using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Tests.TestDoubles;

/// <summary>An <see cref="IObjectStore"/> held in a dictionary; <see cref="Under"/> gives a view rooted at a folder, as a source's Uri does.</summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, byte[]> _objects;
    private readonly string _prefix;

    public InMemoryObjectStore()
        : this(new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal), "")
    {
    }

    private InMemoryObjectStore(ConcurrentDictionary<string, byte[]> objects, string prefix)
    {
        _objects = objects;
        _prefix = prefix;
    }

    public string Location => $"mem://{_prefix.TrimEnd('/')}";

    public int OpenCount { get; private set; }

    /// <summary>Keys in the order they were put (shared by every view).</summary>
    public ConcurrentQueue<string> PutOrder { get; private init; } = new();

    public InMemoryObjectStore Under(string folder) => new(_objects, $"{_prefix}{folder.TrimEnd('/')}/") { PutOrder = PutOrder };

    public byte[] Get(string key) => _objects[_prefix + key];

    public void Set(string key, byte[] content) => _objects[_prefix + key] = content;

    public IReadOnlyList<string> Keys => [.. _objects.Keys.Where(k => k.StartsWith(_prefix, StringComparison.Ordinal)).Select(k => k[_prefix.Length..]).Order(StringComparer.Ordinal)];

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        _objects[_prefix + key] = buffer.ToArray();
        PutOrder.Enqueue(_prefix + key);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        OpenCount++;
        return _objects.TryGetValue(_prefix + key, out var bytes)
            ? Task.FromResult<Stream>(new MemoryStream(bytes, writable: false))
            : throw new ObjectNotFoundException(Location, key);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_objects.ContainsKey(_prefix + key));

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var key in Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await Task.Yield();
            yield return new ObjectInfo(key, Get(key).Length);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(_prefix + key, out _);
        return Task.CompletedTask;
    }
}
