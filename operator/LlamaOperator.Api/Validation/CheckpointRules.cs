using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>A checkpoint lives in exactly one place, and a blob credential reaches the pods only from a Secret.</summary>
internal static class CheckpointRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        CheckCredentialsByReference(spec, problems);
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

    private static void CheckCredentialsByReference(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var env = spec.Cluster?.Env ?? [];
        for (var i = 0; i < env.Count; i++)
        {
            if (env[i] is { Value: not null } variable && BlobCredentialVariables.All.Contains(variable.Name))
            {
                problems.Add(ValidationProblem.Error(
                    $"spec.cluster.env[{i}].value",
                    $"expected {variable.Name} from a Secret (checkpoint.storage.azureBlob.secretRef, or valueFrom.secretKeyRef), not a literal value: the pod spec is readable by whoever may read pods"));
            }
        }
    }
}
