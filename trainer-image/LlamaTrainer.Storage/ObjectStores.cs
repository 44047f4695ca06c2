using Azure;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using LlamaTrainer.Storage.Azure;
using LlamaTrainer.Storage.Local;

namespace LlamaTrainer.Storage;

/// <summary>Opens the store a location string names: a folder path or file:// URI, or an http(s) blob container URL.</summary>
public static class ObjectStores
{
    /// <summary>
    /// Opens a store. Locations:
    /// <list type="bullet">
    /// <item>a plain path or file:///path: <see cref="LocalFolderStore"/>;</item>
    /// <item>https://ACCOUNT.blob.core.windows.net/CONTAINER[/PREFIX] or an Azurite URL
    /// http://127.0.0.1:PORT/ACCOUNT/CONTAINER[/PREFIX]: <see cref="AzureBlobStore"/>.</item>
    /// </list>
    /// Blob credentials, first found wins: <paramref name="credentials"/>, env AZURE_STORAGE_CONNECTION_STRING,
    /// env AZURE_STORAGE_SAS_TOKEN, DefaultAzureCredential (workload identity on a cluster).
    /// A location carrying a SAS ('sig=') is rejected: locations are logged and stored in job status.
    /// </summary>
    public static IObjectStore Open(string location, BlobCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (!location.Contains("://", StringComparison.Ordinal))
        {
            return new LocalFolderStore(location);
        }
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"storage location '{location}' is not a valid URI; expected a folder path, file:///path or https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX", nameof(location));
        }
        return uri.Scheme switch
        {
            "file" => new LocalFolderStore(uri.LocalPath),
            "http" or "https" => OpenBlob(uri, credentials ?? FromEnvironment()),
            _ => throw new ArgumentException($"storage location '{location}' has scheme '{uri.Scheme}'; expected a folder path, file://, http:// (Azurite) or https:// (Azure Blob)", nameof(location)),
        };
    }

    private static AzureBlobStore OpenBlob(Uri location, BlobCredentials credentials)
    {
        if (location.Query.Contains("sig=", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"storage location '{location.GetLeftPart(UriPartial.Path)}?...' carries a SAS token; locations are shown in logs and status, so pass the token as a credential (env {BlobCredentials.SasTokenVariable})", nameof(location));
        }
        var parts = new BlobUriBuilder(location);
        if (string.IsNullOrEmpty(parts.BlobContainerName))
        {
            throw new ArgumentException($"storage location '{location}' names no container; expected https://ACCOUNT.blob.core.windows.net/CONTAINER[/PREFIX]", nameof(location));
        }
        var prefix = parts.BlobName ?? "";
        ObjectKey.ValidatePrefix(prefix, nameof(location));
        parts.BlobName = "";
        parts.Sas = null;
        parts.Query = "";
        var containerUri = parts.ToUri();
        return new AzureBlobStore(ContainerClient(containerUri, parts.AccountName, credentials), prefix);
    }

    private static BlobContainerClient ContainerClient(Uri containerUri, string account, BlobCredentials credentials)
    {
        if (credentials.ConnectionString is { } connectionString)
        {
            var parsed = StorageConnectionString.Parse(connectionString, "blob connection string");
            if (parsed.AccountName.Length > 0 && !string.IsNullOrEmpty(account) && !parsed.AccountName.Equals(account, StringComparison.Ordinal))
            {
                throw new ArgumentException($"the blob connection string is for account '{parsed.AccountName}' but the location {containerUri} names account '{account}'", nameof(credentials));
            }
            return parsed.AccountKey is { } key
                ? new BlobContainerClient(containerUri, new StorageSharedKeyCredential(parsed.AccountName, key))
                : new BlobContainerClient(containerUri, new AzureSasCredential(parsed.SharedAccessSignature!));
        }
        if (credentials.SasToken is { } sas)
        {
            return new BlobContainerClient(containerUri, new AzureSasCredential(sas.TrimStart('?')));
        }
        return new BlobContainerClient(containerUri, credentials.TokenCredential ?? new DefaultAzureCredential());
    }

    private static BlobCredentials FromEnvironment()
    {
        var connectionString = Environment.GetEnvironmentVariable(BlobCredentials.ConnectionStringVariable);
        var sas = Environment.GetEnvironmentVariable(BlobCredentials.SasTokenVariable);
        return new BlobCredentials
        {
            ConnectionString = string.IsNullOrWhiteSpace(connectionString) ? null : connectionString,
            SasToken = string.IsNullOrWhiteSpace(sas) ? null : sas,
        };
    }
}
