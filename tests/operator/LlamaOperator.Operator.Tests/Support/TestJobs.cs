using System.Text.Json.Nodes;
using k8s;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>
/// A small three-stage job with a different layout per stage: pretrain DP 2 (2 pods), long-context CP 4 at lengths
/// 512 and 1024 (4 pods), anneal DP 1 (1 pod) averaged over 2 checkpoints; checkpoints in a local folder.
/// </summary>
internal static class TestJobs
{
    public static LlamaTrainingJob ThreeStages(string ns, string checkpoints, string name = "tiny") => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = ns },
        Spec = new LlamaTrainingJobSpec
        {
            Model = new ModelSpec { Preset = "tiny" },
            Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "/data/general", Weight = 1 }] },
            Cluster = new ClusterSpec { GpusPerNode = 1, GpuMemoryGiB = 80, Image = "llama-trainer:test" },
            Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = checkpoints } } },
            FailurePolicy = new FailurePolicySpec { MaxRestarts = 3, BackoffSeconds = 1, MaxBackoffSeconds = 4, HangTimeoutSeconds = 3600 },
            Stages =
            [
                new StageSpec { Name = "pretrain", Type = StageType.Pretrain, Tokens = 1_000_000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 2 } },
                new StageSpec
                {
                    Name = "long", Type = StageType.LongContext, Tokens = 100_000, SequenceLengths = [512, 1024], BatchTokens = 2048,
                    Parallelism = new ParallelismSpec { Cp = 4 },
                    Gate = new GateSpec { ShortContextTolerance = 0.05, NeedleAccuracy = 0.9, OnFailure = GateFailureAction.Fail },
                },
                new StageSpec { Name = "anneal", Type = StageType.Anneal, Tokens = 100_000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 1 }, Averaging = new AveragingSpec { Checkpoints = 2 } },
            ],
        },
    };

    /// <summary>Creates the job on the API server in the API's JSON form.</summary>
    public static Task CreateAsync(IKubernetes client, LlamaTrainingJob job) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(ApiJson.Serialize(job))!, ApiGroup.Group, ApiGroup.Version, job.Metadata.NamespaceProperty, ApiGroup.Plural);

    public static Task<LlamaTrainingJob> GetAsync(IKubernetes client, string ns, string name = "tiny") =>
        client.CustomObjects.GetNamespacedCustomObjectAsync<LlamaTrainingJob>(ApiGroup.Group, ApiGroup.Version, ns, ApiGroup.Plural, name);

    /// <summary>A JSON merge patch of the job's spec (a user's `kubectl patch`).</summary>
    public static Task PatchSpecAsync(IKubernetes client, string ns, string specPatchJson, string name = "tiny") =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new k8s.Models.V1Patch($"{{\"spec\":{specPatchJson}}}", k8s.Models.V1Patch.PatchType.MergePatch), ApiGroup.Group, ApiGroup.Version, ns, ApiGroup.Plural, name);
}
