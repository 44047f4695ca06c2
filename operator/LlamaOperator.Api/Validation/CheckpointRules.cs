using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>A checkpoint lives in exactly one place.</summary>
internal static class CheckpointRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var storage = spec.Checkpoint?.Storage;
        if (storage is null)
        {
            return;
        }

        var count = (storage.AzureBlob is null ? 0 : 1) + (storage.Local is null ? 0 : 1);
        if (count != 1)
        {
            problems.Add(ValidationProblem.Error("spec.checkpoint.storage", $"expected exactly one of azureBlob or local, found {(count == 0 ? "neither" : "both")}"));
        }
    }
}
