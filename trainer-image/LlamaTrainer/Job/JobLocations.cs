using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Job;

/// <summary>Turns the job's storage and data settings into store locations for <c>ObjectStores.Open</c>.</summary>
public static class JobLocations
{
    /// <summary>The checkpoint store: spec.checkpoint.storage.local.path (relative to the manifest's folder) or the blob container URL with its prefix.</summary>
    public static string CheckpointUri(LlamaTrainingJob job, string manifestFolder)
    {
        var storage = job.Spec.Checkpoint.Storage;
        if (storage.Local is { } local)
        {
            return Path.GetFullPath(local.Path, manifestFolder);
        }
        if (storage.AzureBlob is { } blob)
        {
            var prefix = blob.Prefix ?? $"{job.Metadata.NamespaceProperty ?? "default"}/{job.Metadata.Name}";
            return $"{blob.AccountUrl.TrimEnd('/')}/{blob.Container}/{prefix.Trim('/')}";
        }
        throw new InvalidDataException("spec.checkpoint.storage: set exactly one of local or azureBlob (or pass --checkpoint-uri)");
    }

    /// <summary>A data source's location: URLs as they are, relative paths against <paramref name="dataRoot"/>.</summary>
    public static string DataUri(string uri, string dataRoot)
    {
        if (uri.StartsWith("file://", StringComparison.Ordinal))
        {
            return new Uri(uri).LocalPath;
        }
        return uri.Contains("://", StringComparison.Ordinal) ? uri : Path.GetFullPath(uri, dataRoot);
    }
}
