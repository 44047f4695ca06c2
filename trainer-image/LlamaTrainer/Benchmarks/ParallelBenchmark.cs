using System.Diagnostics;
using System.Text.Json;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Launch;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Training;
using Serilog;
using static TorchSharp.torch;

namespace LlamaTrainer.Benchmarks;

/// <summary>What `bench parallel` trains: the same global batches, once in one process and once under a layout.</summary>
public sealed record ParallelBenchmarkOptions(ResolvedParallelism Layout, int Steps, int WarmupSteps, int SequenceLength, int MicroBatch, int GlobalSequences, ModelConfig Model)
{
    /// <summary>About 6M parameters: big enough that compute, not the per-step all-reduce, dominates on a CPU.</summary>
    public static readonly ModelConfig Model6M = new(
        Layers: 4, Dim: 256, FfnDim: 768, Heads: 8, KvHeads: 4, VocabSize: 8192, RopeTheta: 500_000, NormEps: 1e-5, PeakLr: 1e-3);
}

/// <summary>
/// What rank 0 of one run measured: every step's loss, the measured steps' throughput and the bytes its collectives
/// moved per step in each group, and a checkpoint of the trained state (weights and moments) saved and restored on a
/// local folder: rank 0's shard size and the gang's wall times.
/// </summary>
/// <param name="PipelineWaitFraction">the share of rank 0's measured time spent in pipeline sends and receives</param>
public sealed record ParallelRunResult(int WorldSize, IReadOnlyList<double> Losses, double TokensPerSecond, GroupTraffic TrafficPerStep, double PipelineWaitFraction, long CheckpointBytesPerRank, long CheckpointBytes, double SaveSeconds, double LoadSeconds)
{
    public double SaveMegabytesPerSecond => CheckpointBytes / 1e6 / SaveSeconds;

    public double LoadMegabytesPerSecond => CheckpointBytes / 1e6 / LoadSeconds;
}

/// <summary>Both runs side by side, as `bench parallel` prints them.</summary>
/// <param name="PipelineBubble">
/// the schedule's idle share of a step: (PP - 1) / (V x M + PP - 1) for M micro-batches a pipeline and V virtual
/// stages a rank (1F1B's (PP - 1) / (M + PP - 1) at V = 1), i.e. a bubble of (PP - 1) / (V x M) of the ideal time
/// </param>
public sealed record ParallelBenchmarkResult(
    ResolvedParallelism Layout,
    long Parameters,
    int Steps,
    long BatchTokens,
    double MaxRelativeLossDifference,
    double TokensPerSecond,
    double SingleProcessTokensPerSecond,
    IReadOnlyList<double> Losses,
    IReadOnlyList<double> SingleProcessLosses,
    GroupTraffic AnalyticTrafficPerStep,
    double PipelineBubble,
    ParallelRunResult Parallel,
    ParallelRunResult SingleProcess)
{
    public double Speedup => TokensPerSecond / SingleProcessTokensPerSecond;
}

/// <summary>
/// Trains the same steps (same seed, same global batches) in one process and under a layout whose ranks are processes
/// on this machine, each with one intra-op thread, one run after the other: the largest relative loss difference is
/// the equality test of the layout, the tokens/s ratio its speed-up.
/// </summary>
public static class ParallelBenchmark
{
    public static async Task<ParallelBenchmarkResult> RunAsync(ParallelBenchmarkOptions options, ILogger log, CancellationToken stop)
    {
        var single = await RunProcessesAsync(options with { Layout = new ResolvedParallelism(1, 1, 1, 1) }, log, stop);
        var parallel = await RunProcessesAsync(options, log, stop);
        var difference = single.Losses.Zip(parallel.Losses, (a, b) => Math.Abs(a - b) / Math.Abs(a)).Max();
        return new ParallelBenchmarkResult(
            options.Layout, options.Model.ParameterCount, options.Steps, (long)options.GlobalSequences * options.SequenceLength,
            difference, parallel.TokensPerSecond, single.TokensPerSecond, parallel.Losses, single.Losses,
            CommunicationVolume.PerStep(options.Model, options.Layout, options.SequenceLength, options.MicroBatch, options.GlobalSequences, ActivationCheckpointing.None, sizeof(float)),
            PipelineBubble(options), parallel, single);
    }

    private static double PipelineBubble(ParallelBenchmarkOptions options)
    {
        var microBatches = options.GlobalSequences / options.MicroBatch / options.Layout.Dp;
        return (options.Layout.Pp - 1.0) / ((options.Layout.VirtualStages * microBatches) + options.Layout.Pp - 1);
    }

    /// <summary>The body of one rank (`bench parallel-worker`): trains, checkpoints, and rank 0 writes the result to <paramref name="resultPath"/>.</summary>
    public static async Task WorkAsync(ParallelBenchmarkOptions options, DistributedEnvironment environment, string resultPath, string checkpointFolder, ILogger log)
    {
        using var gang = GangConnection.Join(environment, ComputeDevice.Cpu, TimeSpan.FromSeconds(environment.CollectiveTimeoutSeconds ?? JobDefaults.CollectiveTimeoutSeconds), log);
        var batchTokens = (long)options.GlobalSequences * options.SequenceLength;
        var stage = new StageSettings(
            "bench", 0, null, long.MaxValue,
            new BatchRamp(new BatchShape(batchTokens, options.SequenceLength), []),
            options.MicroBatch,
            new LearningRateSchedule(LrScheduleKind.Constant, options.Model.PeakLr, 0, 1, options.Model.PeakLr),
            0.9, 0.95, 1e-8, 0.1, 1.0, ActivationCheckpointing.None, options.Layout.VirtualStages);
        using var trainer = new Trainer(LlamaTransformer.For(options.Model, gang.Groups, seed: 1, options.Layout.VirtualStages), stage, new RandomTokens(options.Model.VocabSize), ComputeDevice.Cpu, gang.Groups, TrainingState.Start);
        var losses = new List<double>();
        var measured = Stopwatch.StartNew();
        var traffic = gang.Groups.Traffic();
        var exchanging = TimeSpan.Zero;
        for (var step = 0; step < options.WarmupSteps + options.Steps; step++)
        {
            if (step == options.WarmupSteps)
            {
                measured.Restart();
                traffic = gang.Groups.Traffic();
                exchanging = trainer.PipelineExchanging;
            }

            var result = trainer.Step();
            if (step >= options.WarmupSteps)
            {
                losses.Add(result.Loss);
            }
        }

        var tokensPerSecond = batchTokens * options.Steps / measured.Elapsed.TotalSeconds;
        var waitFraction = (trainer.PipelineExchanging - exchanging) / measured.Elapsed;
        var moved = gang.Groups.Traffic() - traffic;
        var perStep = new GroupTraffic(moved.World / options.Steps, moved.Tp / options.Steps, moved.Cp / options.Steps, moved.Pp / options.Steps, moved.Dp / options.Steps);

        var world = gang.Groups.World;
        var store = new CheckpointStore(ObjectStores.Open(checkpointFolder), logger: log);
        var checkpoint = new TrainerCheckpoint(store, world, log);
        var draft = new CheckpointManifest
        {
            Stage = stage.Name,
            StageIndex = 0,
            Step = trainer.State.Step,
            Tokens = trainer.State.Tokens,
            StageTokens = trainer.State.StageTokens,
            SequenceLength = options.SequenceLength,
            Metrics = new TrainingMetrics(losses[^1], options.Model.PeakLr, tokensPerSecond),
        };
        world.Barrier();
        var clock = Stopwatch.StartNew();
        var saved = await checkpoint.SaveAsync(trainer, draft, keep: 1, CancellationToken.None);
        var save = clock.Elapsed;
        world.Barrier();
        clock.Restart();
        await checkpoint.RestoreNewestAsync(trainer, CancellationToken.None);
        world.Barrier();
        var load = clock.Elapsed;
        if (environment.Rank == 0)
        {
            var shards = saved.Shards.Where(s => s.Name.StartsWith("rank-", StringComparison.Ordinal)).ToList();
            await File.WriteAllTextAsync(resultPath, JsonSerializer.Serialize(new ParallelRunResult(
                (int)environment.Layout.WorldSize, losses, tokensPerSecond, perStep, waitFraction, shards[0].Bytes, shards.Sum(s => s.Bytes), save.TotalSeconds, load.TotalSeconds)));
        }
    }

    private static async Task<ParallelRunResult> RunProcessesAsync(ParallelBenchmarkOptions options, ILogger log, CancellationToken stop)
    {
        var resultPath = Path.Combine(Path.GetTempPath(), $"llama-bench-{Environment.ProcessId}-{options.Layout.WorldSize}.json");
        var checkpoints = Path.Combine(Path.GetTempPath(), $"llama-bench-{Environment.ProcessId}-{options.Layout.WorldSize}-checkpoints");
        File.Delete(resultPath);
        var command = LaunchPlan.SelfCommand(["bench", "parallel-worker", "--result", resultPath, "--checkpoints", checkpoints, "--options", JsonSerializer.Serialize(options)]);
        var gang = StandaloneGang.Variables(options.Layout, StandaloneGang.FreePort(), $"bench-{Environment.ProcessId}-{options.Layout.WorldSize}");
        var workers = LaunchPlan.For(0, (int)options.Layout.WorldSize, Environment.ProcessorCount, "1", command, gang);
        log.Information("Training {Steps} steps at tp={Tp} cp={Cp} pp={Pp} dp={Dp} ({World} processes x 1 thread)",
            options.Steps, options.Layout.Tp, options.Layout.Cp, options.Layout.Pp, options.Layout.Dp, options.Layout.WorldSize);
        var (code, cause) = await new WorkerLauncher(TimeSpan.FromSeconds(10), log).RunAsync(workers, stop);
        if (code != 0 || !File.Exists(resultPath))
        {
            throw new InvalidOperationException($"the benchmark's workers at world size {options.Layout.WorldSize} failed with exit code {code}{(cause is null ? "" : $" ({cause})")}");
        }

        try
        {
            return JsonSerializer.Deserialize<ParallelRunResult>(File.ReadAllText(resultPath))
                ?? throw new InvalidDataException($"{resultPath} holds no result");
        }
        finally
        {
            File.Delete(resultPath);
            if (Directory.Exists(checkpoints))
            {
                Directory.Delete(checkpoints, recursive: true);
            }
        }
    }
}
