namespace LlamaOperator.Api.Resolution;

/// <summary>Checkpoint settings; exactly one of AzureBlob and LocalPath is set.</summary>
public sealed record ResolvedCheckpoint(int IntervalSteps, int Keep, ResolvedAzureBlob? AzureBlob, string? LocalPath);

/// <summary>An Azure Blob location; SecretName null means workload identity.</summary>
public sealed record ResolvedAzureBlob(string AccountUrl, string Container, string Prefix, string? SecretName, string? SecretKey)
{
    /// <summary>The checkpoint store's URL: the container's with the prefix (the trainer's LLAMA_CHECKPOINT_URI).</summary>
    public string Location => $"{AccountUrl.TrimEnd('/')}/{Container}/{Prefix.Trim('/')}";
}
