using System.Runtime.CompilerServices;

namespace LlamaTrainer.Storage;

/// <summary>A view of a store under a key prefix (e.g. one job's folder, or its 'final/' model), itself a store.</summary>
public sealed class PrefixedStore : IObjectStore
{
    private readonly IObjectStore _inner;
    private readonly string _prefix;

    public PrefixedStore(IObjectStore inner, string prefix)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ObjectKey.ValidatePrefix(prefix);
        if (prefix.Length == 0)
        {
            throw new ArgumentException("prefix is empty; expected a folder such as 'final' or 'jobs/demo'", nameof(prefix));
        }
        _inner = inner;
        _prefix = prefix.TrimEnd('/') + "/";
        Location = inner.Location.TrimEnd('/') + "/" + _prefix.TrimEnd('/');
    }

    public string Location { get; }

    public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default) =>
        _inner.PutAsync(Full(key), content, cancellationToken);

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.OpenReadAsync(Full(key), cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new ObjectNotFoundException(Location, key);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.OpenReadAsync(Full(key), offset, length, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new ObjectNotFoundException(Location, key);
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        _inner.ExistsAsync(Full(key), cancellationToken);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        await foreach (var info in _inner.ListAsync(_prefix + prefix, cancellationToken))
        {
            yield return info with { Key = info.Key[_prefix.Length..] };
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        _inner.DeleteAsync(Full(key), cancellationToken);

    private string Full(string key)
    {
        ObjectKey.Validate(key);
        return _prefix + key;
    }
}
