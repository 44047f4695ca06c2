using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Cli.Commands;

/// <summary>
/// `llamaop bench plan-render [--iterations N]`: plan + render of the largest Llama 3 stage (405B at 128K on 16,384
/// GPUs, 2,048 pods) to Kubernetes objects, timed after a warm-up; the goal is a median under 50 ms. YAML
/// serialization (what `llamaop render` adds on top) is timed separately.
/// </summary>
internal static class BenchPlanRenderCommand
{
    public const double GoalMedianMs = 50;
    private const int WarmupIterations = 5;
    private const int YamlIterations = 3;

    public static Command Create()
    {
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs after the warm-up", DefaultValueFactory = _ => 50 };
        iterations.Validators.Add(result =>
        {
            if (result.GetValue(iterations) < 1)
            {
                result.AddError("--iterations must be at least 1");
            }
        });

        var command = new Command("plan-render", "Time plan + render of the 405B 128K stage (2,048 pods)") { iterations };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var job = Table4LongContextJob();
            RenderedStage? stage = null;
            for (var i = 0; i < WarmupIterations; i++)
            {
                stage = PlanAndRender(job);
            }

            var runs = parse.GetValue(iterations);
            var times = new double[runs];
            for (var i = 0; i < runs; i++)
            {
                var clock = Stopwatch.StartNew();
                stage = PlanAndRender(job);
                times[i] = clock.Elapsed.TotalMilliseconds;
            }

            var yamlTimes = new double[YamlIterations];
            var yamlBytes = 0;
            for (var i = 0; i < YamlIterations; i++)
            {
                var clock = Stopwatch.StartNew();
                yamlBytes = StageYaml.Serialize(stage!).Length;
                yamlTimes[i] = clock.Elapsed.TotalMilliseconds;
            }

            Array.Sort(times);
            Array.Sort(yamlTimes);
            var median = Percentile(times, 0.5);
            output.WriteLine($"plan+render 405B 128K stage: {stage!.Pods.Count} pods, {runs} runs after {WarmupIterations} warm-up");
            output.WriteLine(Ms("median", median));
            output.WriteLine(Ms("p90", Percentile(times, 0.9)));
            output.WriteLine(Ms("min", times[0]));
            output.WriteLine(Ms("yaml (median of 3)", Percentile(yamlTimes, 0.5)) + $"  ({yamlBytes / 1e6:F1} MB)");
            output.WriteLine(median < GoalMedianMs ? $"goal < {GoalMedianMs} ms median: met" : $"goal < {GoalMedianMs} ms median: NOT met");
            return 0;
        });
        return command;
    }

    /// <summary>What the operator does per stage start: resolve (with validation), plan, render.</summary>
    private static RenderedStage PlanAndRender(LlamaTrainingJob job)
    {
        var resolved = JobResolver.Resolve(job);
        return StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 0));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Ms(string label, double ms) => string.Create(CultureInfo.InvariantCulture, $"  {label,-20}{ms,9:F2} ms");

    /// <summary>Table 4, last row: TP8 CP16 PP16 DP8 at 131,072 tokens, 16M tokens per batch, with placement by network block.</summary>
    private static LlamaTrainingJob Table4LongContextJob() => new()
    {
        Metadata = new() { Name = "llama3-405b", NamespaceProperty = "research", Uid = "00000000-0000-0000-0000-000000000405" },
        Spec = new LlamaTrainingJobSpec
        {
            Model = new ModelSpec { Preset = "llama3-405b" },
            Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "https://example.blob.core.windows.net/data/general", Weight = 1 }] },
            Cluster = new ClusterSpec
            {
                GpusPerNode = 8,
                Image = "ghcr.io/llamaoperator/llama-trainer:bench",
                Nccl = new NcclSpec { SocketInterface = "eth0", IbHca = "mlx5_0,mlx5_1", Debug = "WARN" },
                Scheduling = new SchedulingSpec { Gang = GangScheduler.Coscheduling, TopologyKey = "network.example.com/block" },
            },
            Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://example.blob.core.windows.net", Container = "checkpoints" } } },
            Stages =
            [
                new StageSpec
                {
                    Name = "long-context",
                    Type = StageType.LongContext,
                    Tokens = 800_000_000_000,
                    SequenceLengths = [131_072],
                    BatchTokens = 16L << 20,
                    Parallelism = new ParallelismSpec { Tp = 8, Cp = 16, Pp = 16, Dp = 8 },
                },
            ],
        },
    };
}
