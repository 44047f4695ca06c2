using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Job;
using LlamaTrainer.Storage;
using LlamaTrainer.Training;
using Serilog;

namespace LlamaTrainer.Cli;

/// <summary>
/// Opens a job's sources (preparing those with prepareFrom first) as the mixing sampler; the stage's mix is its
/// override, else the sources' weights.
/// </summary>
internal static class TrainingData
{
    public static async Task<StageData> OpenAsync(LlamaTrainingJob job, string dataRoot, StageSettings stage, CancellationToken cancellationToken)
    {
        await JobDataPreparation.EnsurePreparedAsync(job, dataRoot, Log.Logger, cancellationToken);
        var sources = job.Spec.Data.Sources
            .Select(s => new SamplerSource(s.Name, ObjectStores.Open(JobLocations.DataUri(s.Uri, dataRoot)), s.Weight))
            .ToList();
        var resolved = JobResolver.Resolve(job);
        var sampler = await MixedSequenceSampler.OpenAsync(sources, resolved.Data.Seed, Log.Logger, cancellationToken);

        if (sampler.TokenizerName != JobTokenizer.Name(job))
        {
            throw new InvalidDataException(
                $"the data was tokenized with {sampler.TokenizerName} but spec.tokenizer.kind is {resolved.Tokenizer.Kind} ({JobTokenizer.Name(job)}); prepare the data again with that tokenizer (a source with prepareFrom is prepared again when its folder is removed)");
        }

        var model = JobManifest.Model(job);
        if (sampler.VocabSize > model.VocabSize)
        {
            throw new InvalidDataException(
                $"the data was tokenized with {sampler.TokenizerName} ({sampler.VocabSize} ids) but spec.model.vocabSize is {model.VocabSize}; set spec.model.vocabSize to at least {sampler.VocabSize}");
        }
        var mix = resolved.Stages[stage.StageIndex].DataMix.ToDictionary(m => m.Name, m => m.Weight, StringComparer.Ordinal);
        return new StageData(sampler, () => sampler.SetWeights(mix));
    }
}
