using k8s;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Job;

/// <summary>
/// Reads a LlamaTrainingJob manifest (YAML or JSON) into the API types. Deliberately minimal: the operator's shared
/// loader/validator replaces this file; the trainer checks only what it uses (in <see cref="Training.StageSettings"/>).
/// </summary>
public static class JobManifest
{
    public static LlamaTrainingJob Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"job manifest '{path}' does not exist", path);
        }
        var text = File.ReadAllText(path);
        LlamaTrainingJob? job;
        try
        {
            job = text.TrimStart().StartsWith('{')
                ? KubernetesJson.Deserialize<LlamaTrainingJob>(text)
                : KubernetesYaml.Deserialize<LlamaTrainingJob>(text);
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"job manifest '{path}': {e.Message}", e);
        }
        if (job?.Spec is null || job.Spec.Stages.Count == 0)
        {
            throw new InvalidDataException($"job manifest '{path}': spec.stages is missing or empty");
        }
        return job;
    }

    /// <summary>The resolved model architecture; errors name spec.model.preset.</summary>
    public static ModelConfig Model(LlamaTrainingJob job) =>
        ModelPresets.Resolve(job.Spec.Model)
        ?? throw new InvalidDataException($"spec.model.preset '{job.Spec.Model.Preset}' is unknown; expected one of {string.Join(", ", ModelPresets.Names)}");
}
