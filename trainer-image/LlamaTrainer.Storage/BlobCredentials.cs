using Azure.Core;

namespace LlamaTrainer.Storage;

/// <summary>
/// Secrets for a blob location, kept apart from the location string so that locations can be logged and shown.
/// Set at most one; with none, <see cref="ObjectStores.Open"/> falls back to the environment, then to DefaultAzureCredential.
/// </summary>
public sealed record BlobCredentials
{
    /// <summary>Environment variable read when no credential is given.</summary>
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>Environment variable read when no credential is given and no connection string is set.</summary>
    public const string SasTokenVariable = "AZURE_STORAGE_SAS_TOKEN";

    public string? ConnectionString { get; init; }

    /// <summary>A SAS token (with or without the leading '?').</summary>
    public string? SasToken { get; init; }

    /// <summary>An Entra ID credential, e.g. WorkloadIdentityCredential.</summary>
    public TokenCredential? TokenCredential { get; init; }
}
