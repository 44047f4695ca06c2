namespace LlamaOperator.Api.Resolution;

/// <summary>Checkpoint settings; exactly one of AzureBlob and LocalPath is set.</summary>
public sealed record ResolvedCheckpoint(int IntervalSteps, int Keep, ResolvedAzureBlob? AzureBlob, string? LocalPath);

/// <summary>An Azure Blob location; SecretName null means workload identity.</summary>
public sealed record ResolvedAzureBlob(string AccountUrl, string Container, string Prefix, string? SecretName, string? SecretKey);
