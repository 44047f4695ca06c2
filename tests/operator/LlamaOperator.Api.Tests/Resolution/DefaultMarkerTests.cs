using System.Text.Json;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Schema;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Tests.Resolution;

/// <summary>The CRD publishes the [DefaultValueJson] markers; the resolver must apply the same values.</summary>
public class DefaultMarkerTests
{
    private static readonly Dictionary<string, Func<ResolvedJob, object?>> ResolvedValue = new()
    {
        ["spec.model.preset"] = j => j.Preset,
        ["spec.tokenizer.kind"] = j => j.Tokenizer.Kind,
        ["spec.data.seed"] = j => j.Data.Seed,
        ["spec.data.heldOutDocuments"] = j => j.Data.HeldOutDocuments,
        ["spec.cluster.gpusPerNode"] = j => j.Cluster.GpusPerNode,
        ["spec.cluster.gpuMemoryGiB"] = j => j.Cluster.GpuMemoryGiB,
        ["spec.cluster.shmSize"] = j => j.Cluster.ShmSize,
        ["spec.cluster.masterPort"] = j => j.Cluster.MasterPort,
        ["spec.cluster.scheduling.gang"] = j => j.Cluster.Scheduling.Gang,
        ["spec.checkpoint.intervalSteps"] = j => j.Checkpoint.IntervalSteps,
        ["spec.checkpoint.keep"] = j => j.Checkpoint.Keep,
        ["spec.checkpoint.storage.azureBlob.secretRef.key"] = j => j.Checkpoint.AzureBlob!.SecretKey,
        ["spec.stages[].microBatchSize"] = j => j.Stages[0].MicroBatchSize,
        ["spec.stages[].activationCheckpointing"] = j => j.Stages[0].ActivationCheckpointing,
        ["spec.stages[].parallelism.tp"] = j => j.Stages[0].Parallelism.Tp,
        ["spec.stages[].parallelism.cp"] = j => j.Stages[0].Parallelism.Cp,
        ["spec.stages[].parallelism.pp"] = j => j.Stages[0].Parallelism.Pp,
        ["spec.stages[].parallelism.virtualStages"] = j => j.Stages[0].Parallelism.VirtualStages,
        ["spec.stages[].parallelism.dp"] = j => j.Stages[0].Parallelism.Dp,
        ["spec.stages[].optimizer.beta1"] = j => j.Stages[0].Optimizer.Beta1,
        ["spec.stages[].optimizer.beta2"] = j => j.Stages[0].Optimizer.Beta2,
        ["spec.stages[].optimizer.eps"] = j => j.Stages[0].Optimizer.Eps,
        ["spec.stages[].optimizer.weightDecay"] = j => j.Stages[0].Optimizer.WeightDecay,
        ["spec.stages[].optimizer.gradClip"] = j => j.Stages[0].Optimizer.GradClip,
        ["spec.stages[].gate.shortContextTolerance"] = j => j.Stages[1].Gate!.ShortContextTolerance,
        ["spec.stages[].gate.needleAccuracy"] = j => j.Stages[1].Gate!.NeedleAccuracy,
        ["spec.stages[].gate.needleDepths"] = j => j.Stages[1].Gate!.NeedleDepths,
        ["spec.stages[].gate.onFailure"] = j => j.Stages[1].Gate!.OnFailure,
        ["spec.stages[].averaging.checkpoints"] = j => j.Stages[2].Averaging!.Checkpoints,
        ["spec.failurePolicy.maxRestarts"] = j => j.FailurePolicy.MaxRestarts,
        ["spec.failurePolicy.backoffSeconds"] = j => j.FailurePolicy.BackoffSeconds,
        ["spec.failurePolicy.maxBackoffSeconds"] = j => j.FailurePolicy.MaxBackoffSeconds,
        ["spec.failurePolicy.hangTimeoutSeconds"] = j => j.FailurePolicy.HangTimeoutSeconds,
        ["spec.failurePolicy.collectiveTimeoutSeconds"] = j => j.FailurePolicy.CollectiveTimeoutSeconds,
    };

    /// <summary>
    /// A job with every optional section present but empty, read from a manifest so that nothing is set by hand.
    /// Default parallelism (one GPU) does not fill a default node of 8 GPUs, so each is checked with the other set.
    /// </summary>
    private const string Manifest = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata: {name: defaults}
        spec:
          model: {}
          tokenizer: {}
          data:
            sources: [{name: general, uri: /data/general, weight: 1}]
          cluster:
            image: img
            GPUS_PER_NODE
            scheduling: {}
          checkpoint:
            storage:
              azureBlob: {accountUrl: "https://a.blob.core.windows.net", container: c, secretRef: {name: s}}
          failurePolicy: {}
          stages:
            - {name: pretrain, type: Pretrain, tokens: 1000000, sequenceLength: 1024, batchTokens: 65536, parallelism: PARALLELISM, optimizer: {}}
            - {name: long, type: LongContext, tokens: 1000000, sequenceLengths: [2048], batchTokens: 65536, parallelism: PARALLELISM, gate: {}}
            - {name: anneal, type: Anneal, tokens: 1000000, sequenceLength: 1024, batchTokens: 65536, parallelism: PARALLELISM, averaging: {}}
        """;

    public static TheoryData<string> MarkedPaths() => [.. Markers().Select(m => m.Path)];

    private static IEnumerable<(string Path, ApiProperty Property)> Markers(Type? type = null, string path = "spec")
    {
        foreach (var property in ApiProperty.Of(type ?? typeof(LlamaTrainingJobSpec)))
        {
            var fieldPath = $"{path}.{property.JsonName}";
            if (property.DefaultJson is not null)
            {
                yield return (fieldPath, property);
            }

            var child = property.ItemType ?? property.ValueType;
            if (ApiProperty.IsApiObject(child))
            {
                foreach (var marker in Markers(child, property.ItemType is null ? fieldPath : fieldPath + "[]"))
                {
                    yield return marker;
                }
            }
        }
    }

    [Fact]
    public void Every_marker_is_covered_by_this_test()
    {
        Assert.Equal(ResolvedValue.Keys.Order(), Markers().Select(m => m.Path).Order());
    }

    [Theory]
    [MemberData(nameof(MarkedPaths))]
    public void Resolver_applies_the_marked_default(string path)
    {
        var property = Markers().Single(m => m.Path == path).Property;
        var marked = JsonSerializer.Deserialize(property.DefaultJson!, property.ValueType, ApiJson.Options);

        var manifest = path.StartsWith("spec.stages[].parallelism.", StringComparison.Ordinal)
            ? Manifest.Replace("GPUS_PER_NODE", "gpusPerNode: 1").Replace("PARALLELISM", "{}")
            : Manifest.Replace("GPUS_PER_NODE", "").Replace("PARALLELISM", "{dp: 8}");

        var resolved = ResolvedValue[path](JobResolver.Resolve(ManifestReader.Read(manifest, "defaults.yaml")));

        Assert.Equal(marked, resolved);
    }
}
