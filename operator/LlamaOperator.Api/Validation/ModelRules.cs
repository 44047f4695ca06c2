using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>The preset must exist, the architecture must be consistent, and the tokenizer must fit the vocabulary.</summary>
internal static class ModelRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var tokenizer = spec.Tokenizer;
        if (tokenizer is { Kind: TokenizerKind.Llama3 } && string.IsNullOrEmpty(tokenizer.Uri))
        {
            problems.Add(ValidationProblem.Error("spec.tokenizer.uri", "expected the location of a Llama 3 tokenizer.model when kind is Llama3, found none"));
        }

        if (spec.Model is null || string.IsNullOrEmpty(spec.Model.Preset))
        {
            return;
        }

        var model = JobModel.Resolve(spec);
        if (model is null)
        {
            problems.Add(ValidationProblem.Error("spec.model.preset", $"expected one of {string.Join(", ", ModelPresets.Names)}, found '{spec.Model.Preset}'"));
            return;
        }

        if (model.Heads > 0 && model.KvHeads > 0 && model.Heads % model.KvHeads != 0)
        {
            problems.Add(ValidationProblem.Error("spec.model.kvHeads", $"expected a divisor of heads ({model.Heads}) for grouped-query attention, found {model.KvHeads}"));
        }

        if (model.Heads > 0 && model.Dim % model.Heads != 0)
        {
            problems.Add(ValidationProblem.Error("spec.model.dim", $"expected a multiple of heads ({model.Heads}), found {model.Dim}"));
        }

        var kind = tokenizer?.Kind ?? JobDefaults.Tokenizer;
        if (Enum.IsDefined(kind) && model.VocabSize < JobDefaults.TokenizerVocabSize(kind))
        {
            var source = spec.Model.VocabSize is null ? $" (the {spec.Model.Preset} preset's)" : "";
            problems.Add(ValidationProblem.Error(
                "spec.model.vocabSize",
                $"expected at least {JobDefaults.TokenizerVocabSize(kind)}, the vocabulary of spec.tokenizer.kind {kind}, found {model.VocabSize}{source}"));
        }
    }
}
