namespace LlamaTrainer.Storage;

/// <summary>
/// A flat namespace of immutable objects addressed by '/'-separated keys, as blob storage has.
/// Both backends (local folder, Azure Blob) implement it; nothing above this interface knows which one it has.
/// </summary>
public interface IObjectStore
{
    /// <summary>A printable location of the store root (no secrets), e.g. file:///data/ckpt or https://acct.blob.core.windows.net/c/prefix.</summary>
    string Location { get; }

    /// <summary>Writes an object, replacing any object with that key. The object is visible only once the call returns.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading; throws <see cref="ObjectNotFoundException"/> when it does not exist.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens bytes [offset, offset + length) of an object: fewer when the object ends sooner (none from past its end).
    /// Throws <see cref="ObjectNotFoundException"/> when it does not exist. Backends read only the range; this default,
    /// for stores without ranged reads, reads from the start and drops the bytes before <paramref name="offset"/>.
    /// </summary>
    async Task<Stream> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var stream = await OpenReadAsync(key, cancellationToken);
        try
        {
            await BoundedReadStream.SkipAsync(stream, offset, cancellationToken);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
        return new BoundedReadStream(stream, length);
    }

    /// <summary>Whether an object exists.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Keys (with sizes) under a prefix, in ordinal order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

public sealed record ObjectInfo(string Key, long Size);

public sealed class ObjectNotFoundException(string location, string key)
    : Exception($"object '{key}' not found in {location}")
{
    public string Key { get; } = key;
}
