using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace LlamaTrainer.Storage.Azure;

/// <summary>
/// An object store in an Azure Blob container under an optional name prefix. A blob upload commits its block list
/// in one step, so puts are atomic like the local store's rename. The container is created on the first put.
/// </summary>
public sealed class AzureBlobStore : IObjectStore
{
    // Blocks of 8 MiB, 8 in flight: parallel upload of one shard with at most 64 MiB buffered.
    private static readonly StorageTransferOptions Transfer = new()
    {
        InitialTransferSize = 8 << 20,
        MaximumTransferSize = 8 << 20,
        MaximumConcurrency = 8,
    };

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private volatile bool _containerReady;

    /// <param name="container">A client with its credential; its URI must carry no SAS (give SAS as a credential).</param>
    /// <param name="prefix">Blob name prefix (a folder), or empty.</param>
    public AzureBlobStore(BlobContainerClient container, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(container);
        ObjectKey.ValidatePrefix(prefix);
        _container = container;
        _prefix = prefix.Length == 0 ? "" : prefix.TrimEnd('/') + "/";
        var containerUri = new UriBuilder(container.Uri) { Query = "" }.Uri.AbsoluteUri.TrimEnd('/');
        Location = _prefix.Length == 0 ? containerUri : containerUri + "/" + _prefix.TrimEnd('/');
    }

    public string Location { get; }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var blob = Blob(key);
        if (!_containerReady)
        {
            try
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 403)
            {
                // A container-scoped SAS may not create containers; its container exists, or the upload says so.
            }
            _containerReady = true;
        }
        // Options without conditions overwrite an existing blob.
        await blob.UploadAsync(content, new BlobUploadOptions { TransferOptions = Transfer }, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = Blob(key);
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ObjectNotFoundException(Location, key);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        var blob = Blob(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            // A range header cannot say 'no bytes'; still say whether the object is there.
            return await ExistsAsync(key, cancellationToken) ? new MemoryStream([], writable: false) : throw new ObjectNotFoundException(Location, key);
        }
        try
        {
            var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ObjectNotFoundException(Location, key);
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            return new MemoryStream([], writable: false); // the range starts at or past the end
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = Blob(key);
        try
        {
            return (await blob.ExistsAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix + prefix }, cancellationToken);
        await using var items = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                yield break; // no container yet: nothing was ever written
            }
            var item = items.Current;
            yield return new ObjectInfo(item.Name[_prefix.Length..], item.Properties.ContentLength ?? 0);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = Blob(key);
        try
        {
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private BlobClient Blob(string key)
    {
        ObjectKey.Validate(key);
        return _container.GetBlobClient(_prefix + key);
    }
}
