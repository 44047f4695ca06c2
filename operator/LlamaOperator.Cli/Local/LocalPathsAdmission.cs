using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// `llamaop dev-cluster`'s admission of LlamaTrainingJobs: a manifest applied with kubectl arrives without the folder
/// its relative local paths are relative to, so they are made absolute against the folder the dev cluster was given
/// (by <see cref="LocalPaths"/>, as `llamaop local FILE` makes them absolute against FILE's folder). The trainer pods
/// and the operator then read the same places. A job too incomplete to read is left to the schema validation.
/// </summary>
internal static class LocalPathsAdmission
{
    /// <summary>The resource the admission applies to, as <see cref="DevCluster.DevClusterOptions.Admission"/> names it.</summary>
    public const string Resource = ApiGroup.Plural + "." + ApiGroup.Group;

    public static void MakeAbsolute(JsonObject job, string manifestFolder)
    {
        LlamaTrainingJob? typed;
        try
        {
            typed = ApiJson.Deserialize<LlamaTrainingJob>(job.ToJsonString());
        }
        catch (JsonException)
        {
            return;
        }

        if (typed?.Spec is not { Checkpoint.Storage: not null, Data.Sources: { } sources } || sources.Any(s => s is null))
        {
            return;
        }

        var before = ApiJson.Serialize(typed.Spec);
        var after = ApiJson.Serialize(LocalPaths.MakeAbsolute(typed, manifestFolder).Spec);
        if (after != before)
        {
            job["spec"] = JsonNode.Parse(after);
        }
    }
}
