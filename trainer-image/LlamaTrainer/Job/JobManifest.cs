using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaTrainer.Job;

/// <summary>
/// Reads a LlamaTrainingJob manifest (YAML or JSON) with the operator's strict reader and validator, so the trainer
/// refuses exactly the jobs the operator refuses, with the same field paths and lines.
/// </summary>
public static class JobManifest
{
    public static LlamaTrainingJob Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"job manifest '{path}' does not exist", path);
        }

        LlamaTrainingJob job;
        try
        {
            job = ManifestReader.ReadFile(path);
        }
        catch (ManifestException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        var errors = JobValidator.Validate(job).Where(p => p.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidDataException($"job manifest '{path}': " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
        }

        return job;
    }

    /// <summary>The resolved model architecture (the tiny preset's vocabulary follows the tokenizer); errors name spec.model.preset.</summary>
    public static ModelConfig Model(LlamaTrainingJob job) =>
        JobModel.Resolve(job.Spec)
        ?? throw new InvalidDataException($"spec.model.preset '{job.Spec.Model.Preset}' is unknown; expected one of {string.Join(", ", ModelPresets.Names)}");
}
