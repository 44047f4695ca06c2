using LlamaOperator.Api.Resolution;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Operator.Progress;

/// <summary>
/// Where a job's checkpoint store is (the same location the trainer pods get as LLAMA_CHECKPOINT_URI) and the Secret
/// key that holds its blob credential, if any. Safe to log: locations never carry secrets.
/// </summary>
public sealed record CheckpointLocation(string Uri, string? SecretName, string? SecretKey)
{
    public static CheckpointLocation Of(ResolvedJob job) =>
        new(TrainerEnvironment.CheckpointUri(job.Checkpoint), job.Checkpoint.AzureBlob?.SecretName, job.Checkpoint.AzureBlob?.SecretKey);
}
