namespace LlamaTrainer.Storage.Tests.Support;

/// <summary>A store without ranged reads of its own (as a test double or a future backend may be), so it gets <see cref="IObjectStore"/>'s default.</summary>
public sealed class UnrangedStore(IObjectStore inner) : IObjectStore
{
    public string Location => inner.Location;

    public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, cancellationToken);

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(key, cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
}
