using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Tests;

/// <summary>Jobs built in code: the Llama 3 paper's Table 4 layouts and small variants.</summary>
internal static class TestJobs
{
    public const long M = 1L << 20;

    public static LlamaTrainingJob Job(string preset, int gpusPerNode, params StageSpec[] stages) => new()
    {
        Metadata = new() { Name = "llama", NamespaceProperty = "research", Uid = "0f6c2b8e-1111-4a4a-9e9e-123456789abc" },
        Spec = new LlamaTrainingJobSpec
        {
            Model = new ModelSpec { Preset = preset },
            Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "/data/general", Weight = 1 }] },
            Cluster = new ClusterSpec { GpusPerNode = gpusPerNode, GpuMemoryGiB = 80, Image = "ghcr.io/example/llama-trainer:1" },
            Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = "/ckpt" } } },
            Stages = [.. stages],
        },
    };

    public static StageSpec Stage(string name, StageType type, int tp, int cp, int pp, int dp, int sequenceLength, long batchTokens, int? microBatchSize = null) => new()
    {
        Name = name,
        Type = type,
        Tokens = 1_000_000_000,
        SequenceLength = type == StageType.LongContext ? null : sequenceLength,
        SequenceLengths = type == StageType.LongContext ? [sequenceLength] : null,
        BatchTokens = batchTokens,
        MicroBatchSize = microBatchSize,
        Parallelism = new ParallelismSpec { Tp = tp, Cp = cp, Pp = pp, Dp = dp },
    };

    /// <summary>Resolves (and so validates) the job, then plans one stage, as the operator does.</summary>
    public static StagePlan Plan(LlamaTrainingJob job, int stage = 0) => StagePlanner.Plan(JobResolver.Resolve(job), stage);

    /// <summary>Table 4: 8,192 GPUs, TP8 CP1 PP16 DP64, 8K, 16M tokens per batch.</summary>
    public static LlamaTrainingJob Llama405BPretrain() =>
        Job("llama3-405b", 8, Stage("pretrain", StageType.Pretrain, 8, 1, 16, 64, 8192, 16 * M));

    /// <summary>Table 4: 16,384 GPUs, TP8 CP16 PP16 DP8 at 131,072 (DP=8, the consistent reading of the table).</summary>
    public static LlamaTrainingJob Llama405BLongContext() =>
        Job("llama3-405b", 8, Stage("long-context", StageType.LongContext, 8, 16, 16, 8, 131_072, 16 * M));
}
