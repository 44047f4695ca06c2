using k8s.Models;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Tests;

/// <summary>Small jobs built in code: a valid three-stage 8B recipe that each test bends in one place.</summary>
internal static class TestJobs
{
    public static LlamaTrainingJob Valid() => new()
    {
        Metadata = new V1ObjectMeta { Name = "demo", NamespaceProperty = "research" },
        Spec = new LlamaTrainingJobSpec
        {
            Model = new ModelSpec { Preset = "llama3-8b" },
            Data = new DataSpec
            {
                Sources =
                [
                    new DataSourceSpec { Name = "general", Uri = "/data/general", Weight = 0.5 },
                    new DataSourceSpec { Name = "code", Uri = "/data/code", Weight = 0.5 },
                ],
            },
            Cluster = new ClusterSpec { GpusPerNode = 8, Image = "ghcr.io/example/llama-train:1.0" },
            Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = "/ckpt" } } },
            Stages =
            [
                new StageSpec
                {
                    Name = "pretrain",
                    Type = StageType.Pretrain,
                    Tokens = 1_000_000_000,
                    SequenceLength = 8192,
                    BatchTokens = 4_194_304,
                    Parallelism = new ParallelismSpec { Tp = 8, Cp = 1, Pp = 2, Dp = 4 },
                },
                new StageSpec
                {
                    Name = "long",
                    Type = StageType.LongContext,
                    Tokens = 100_000_000,
                    SequenceLengths = [16384, 32768],
                    BatchTokens = 4_194_304,
                    Parallelism = new ParallelismSpec { Tp = 8, Cp = 2, Pp = 2, Dp = 2 },
                },
                new StageSpec
                {
                    Name = "anneal",
                    Type = StageType.Anneal,
                    Tokens = 40_000_000,
                    SequenceLength = 8192,
                    BatchTokens = 4_194_304,
                    Parallelism = new ParallelismSpec { Tp = 8, Cp = 1, Pp = 2, Dp = 4 },
                },
            ],
        },
    };

    public static LlamaTrainingJob With(Action<LlamaTrainingJobSpec> change)
    {
        var job = Valid();
        change(job.Spec);
        return job;
    }
}
