using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Tokenization;
using Serilog;

namespace LlamaTrainer.Job;

/// <summary>
/// Prepares the job's sources that name raw documents (spec.data.sources[].prepareFrom) and have no index.json yet,
/// with the job's tokenizer and spec.data.heldOutDocuments; train and eval call it before they read any shard.
/// </summary>
public static class JobDataPreparation
{
    /// <param name="dataRoot">folder that relative data paths are relative to (the manifest's folder by default)</param>
    public static async Task EnsurePreparedAsync(LlamaTrainingJob job, string dataRoot, ILogger log, CancellationToken cancellationToken)
    {
        var sources = job.Spec.Data.Sources;
        TextTokenizer? tokenizer = null;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i].PrepareFrom is not { } from)
            {
                continue;
            }

            tokenizer ??= JobTokenizer.Load(job, dataRoot);
            var source = new RawSource(
                sources[i].Name,
                JobLocations.DataUri(sources[i].Uri, dataRoot),
                JobLocations.DataUri(from, dataRoot),
                $"spec.data.sources[{i}].prepareFrom");
            await RawSourcePreparation.EnsurePreparedAsync(source, tokenizer, JobResolver.Resolve(job).Data.HeldOutDocuments, log, cancellationToken: cancellationToken);
        }
    }
}
