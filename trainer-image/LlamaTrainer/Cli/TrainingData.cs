using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Data;
using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Job;
using LlamaTrainer.Storage;
using LlamaTrainer.Training;
using Serilog;

namespace LlamaTrainer.Cli;

/// <summary>Opens a job's prepared sources as the mixing sampler, with the stage's data-mix override applied.</summary>
internal static class TrainingData
{
    public static async Task<IBatchSource> OpenAsync(LlamaTrainingJob job, string dataRoot, StageSettings stage, CancellationToken cancellationToken)
    {
        var sources = job.Spec.Data.Sources
            .Select(s => new SamplerSource(s.Name, ObjectStores.Open(JobLocations.DataUri(s.Uri, dataRoot)), s.Weight))
            .ToList();
        var sampler = await MixedSequenceSampler.OpenAsync(sources, job.Spec.Data.Seed ?? 1234, Log.Logger, cancellationToken);

        var model = JobManifest.Model(job);
        if (sampler.VocabSize > model.VocabSize)
        {
            throw new InvalidDataException(
                $"the data was tokenized with {sampler.TokenizerName} ({sampler.VocabSize} ids) but spec.model.vocabSize is {model.VocabSize}; set spec.model.vocabSize to at least {sampler.VocabSize}");
        }
        if (job.Spec.Stages[stage.StageIndex].DataMix is { Count: > 0 } mix)
        {
            sampler.SetWeights(mix.ToDictionary(m => m.Name, m => m.Weight, StringComparer.Ordinal));
        }
        return sampler;
    }
}
