using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Resolution;

/// <summary>The model a job trains: its preset with the overrides, the vocabulary following the tokenizer where the preset leaves it open.</summary>
public static class JobModel
{
    /// <summary>The resolved architecture, or null when the preset is unknown.</summary>
    public static ModelConfig? Resolve(LlamaTrainingJobSpec spec)
    {
        var kind = spec.Tokenizer?.Kind ?? JobDefaults.Tokenizer;
        // An unknown kind is reported by the validator; the default tokenizer's vocabulary lets the other rules run.
        var vocab = JobDefaults.TokenizerVocabSize(Enum.IsDefined(kind) ? kind : JobDefaults.Tokenizer);
        return spec.Model is null ? null : ModelPresets.Resolve(spec.Model, vocab);
    }
}
