using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Job;

/// <summary>Turns the job's storage and data settings into store locations for <c>ObjectStores.Open</c>.</summary>
public static class JobLocations
{
    /// <summary>The checkpoint store: spec.checkpoint.storage.local.path (relative to the manifest's folder) or the blob container URL with its (resolved) prefix.</summary>
    public static string CheckpointUri(LlamaTrainingJob job, string manifestFolder)
    {
        var checkpoint = JobResolver.Resolve(job).Checkpoint;
        return checkpoint.LocalPath is { } local ? Path.GetFullPath(local, manifestFolder) : checkpoint.AzureBlob!.Location;
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
