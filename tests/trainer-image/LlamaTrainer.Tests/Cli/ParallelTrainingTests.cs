using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlamaOperator.Api;
using LlamaOperator.TestSupport;
using LlamaTrainer.Launch;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Local;
using LlamaTrainer.Storage.Progress;

namespace LlamaTrainer.Tests.Cli;

/// <summary>
/// `llama-train train` on a stage whose manifest asks for data or tensor parallelism: the process launches one worker
/// per rank on this machine (Gloo over loopback), as a pod's launcher would.
/// </summary>
public class ParallelTrainingTests
{
    /// <param name="layouts">each stage's parallelism, e.g. "{ tp: 2, dp: 2 }"</param>
    private static string Job(int steps, string[] layouts, int gpusPerNode, int layers)
    {
        var corpus = Path.Combine(RepoRoot.Find(), "examples", "corpus", "multilingual.jsonl");
        var stages = string.Join("\n", layouts.Select((layout, i) =>
            $"    - {{ name: s{i}, type: Pretrain, tokens: {steps * 256}, sequenceLength: 32, batchTokens: 256, microBatchSize: 2, parallelism: {layout} }}"));
        return $$"""
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: { name: dp }
            spec:
              model: { preset: tiny, layers: {{layers}}, dim: 32, ffnDim: 64, heads: 2, kvHeads: 1 }
              tokenizer: { kind: Bytes }
              data:
                seed: 3
                sources: [{ name: multilingual, uri: data/multilingual, prepareFrom: "{{corpus}}", weight: 1.0 }]
              cluster: { gpusPerNode: {{gpusPerNode}}, image: "llama-trainer:dev" }
              checkpoint: { storage: { local: { path: ckpt } }, intervalSteps: 4, keep: 2 }
              failurePolicy: { collectiveTimeoutSeconds: 20 }
              stages:
            {{stages}}
            """;
    }

    /// <param name="layouts">each stage's parallelism</param>
    /// <param name="gpusPerNode">the processes of a pod: the largest TP degree (it divides every stage's world size)</param>
    private static async Task<string> JobFolderAsync(TempFolder folder, string name, string[] layouts, int steps = 20, int gpusPerNode = 1, int layers = 2)
    {
        var path = Path.Combine(folder.Path, name);
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, "job.yaml"), Job(steps, layouts, gpusPerNode, layers));
        return path;
    }

    private static async Task<int> TrainAsync(string folder, string stage) =>
        await LlamaTrainProcess.RunAsync(folder, "train", "--job", "job.yaml", "--stage", stage, "--metrics-dir", Path.Combine("metrics", stage));

    private static List<double> Losses(string folder, string stage) =>
        [.. File.ReadAllLines(Path.Combine(folder, "metrics", stage, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("loss").GetDouble())];

    /// <summary>
    /// Tolerance 1e-4 relative, fp32: the ranks' gradients are the same sums in another order (a reduce-scatter over
    /// the ranks' partial sums), about 1e-7 relative per step; Adam's normalisation and 20 steps of a 30k-parameter
    /// model amplify that to about 1e-6 in the loss.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Two_and_four_data_parallel_ranks_train_the_losses_of_one_process_step_for_step()
    {
        using var folder = new TempFolder();
        var losses = new Dictionary<int, List<double>>();
        foreach (var dp in new[] { 1, 2, 4 })
        {
            var job = await JobFolderAsync(folder, $"dp{dp}", [$"{{ dp: {dp} }}"]);
            Assert.Equal(0, await TrainAsync(job, "s0"));
            losses[dp] = Losses(job, "s0");
        }

        Assert.Equal(20, losses[1].Count);
        foreach (var dp in new[] { 2, 4 })
        {
            var worst = losses[1].Zip(losses[dp], (a, b) => Math.Abs(a - b) / a).Max();
            Assert.True(worst < 1e-4, $"dp={dp}: largest relative loss difference {worst:E2}");
        }
        Assert.True(losses[1][^1] < losses[1][0] - 0.5, $"the loss did not fall: {losses[1][0]:F3} -> {losses[1][^1]:F3}");
    }

    /// <summary>
    /// TP2 (the model's one K/V head replicated on both ranks, its 512-id vocabulary split 256/256), TP2 x DP2, PP2 (a
    /// layer a stage, 1F1B over 2 micro-batches), TP2 x PP2, CP2 (4 chunks of 8 tokens a row), CP2 x TP2 and
    /// TP2 x PP2 x DP2 (8 worker processes) train the losses of one process. Tolerance as for data
    /// parallelism (1e-4 relative, fp32): the partial sums of the row-parallel layers and the vocabulary-parallel loss
    /// are added in another order.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Tensor_context_and_pipeline_parallel_ranks_train_the_losses_of_one_process()
    {
        using var folder = new TempFolder();
        var single = await JobFolderAsync(folder, "single", ["{ dp: 1 }"]);
        Assert.Equal(0, await TrainAsync(single, "s0"));
        var expected = Losses(single, "s0");
        foreach (var (name, layout) in new[] { ("tp2", "{ tp: 2 }"), ("tp2dp2", "{ tp: 2, dp: 2 }"), ("pp2", "{ pp: 2 }"), ("tp2pp2", "{ tp: 2, pp: 2 }"), ("cp2", "{ cp: 2 }"), ("cp2tp2", "{ tp: 2, cp: 2 }"), ("tp2pp2dp2", "{ tp: 2, pp: 2, dp: 2 }") })
        {
            var job = await JobFolderAsync(folder, name, [layout], gpusPerNode: 2);
            Assert.Equal(0, await TrainAsync(job, "s0"));
            var worst = expected.Zip(Losses(job, "s0"), (a, b) => Math.Abs(a - b) / a).Max();
            Assert.True(worst < 1e-4, $"{name}: largest relative loss difference {worst:E2}");
        }
    }

    /// <summary>
    /// PP2 with 2 virtual stages a rank (4 layers: rank 0 holds layers 0 and 2, rank 1 layers 1 and 3; the interleaved
    /// schedule over 4 micro-batches) trains the losses of one process, through the job's `virtualStages` field.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task An_interleaved_pipeline_trains_the_losses_of_one_process()
    {
        using var folder = new TempFolder();
        var single = await JobFolderAsync(folder, "single", ["{ dp: 1 }"], layers: 4);
        Assert.Equal(0, await TrainAsync(single, "s0"));
        var job = await JobFolderAsync(folder, "interleaved", ["{ pp: 2, virtualStages: 2 }"], layers: 4);
        Assert.Equal(0, await TrainAsync(job, "s0"));
        var expected = Losses(single, "s0");
        var worst = expected.Zip(Losses(job, "s0"), (a, b) => Math.Abs(a - b) / a).Max();
        Assert.Equal(20, expected.Count);
        Assert.True(worst < 1e-4, $"largest relative loss difference {worst:E2}");
    }

    /// <summary>
    /// A DP=2, TP=2 or PP=2 run stopped by SIGTERM (every rank checkpoints the same step), resumed, then hit by SIGKILL on one
    /// worker (the other rank is waiting for it in a collective and gets a peer failure at once), resumed again, ends
    /// with every rank's shard of the final checkpoint byte for byte equal to an uninterrupted run's.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("{ dp: 2 }", 1)]
    [InlineData("{ tp: 2 }", 2)]
    [InlineData("{ pp: 2 }", 2)]
    public async Task A_parallel_run_stopped_killed_and_resumed_ends_bitwise_equal_to_an_uninterrupted_one(string layout, int gpusPerNode)
    {
        // A tiny step takes milliseconds: enough steps that the signals land mid-run on any machine.
        const int Steps = 300;
        using var folder = new TempFolder();
        var straight = await JobFolderAsync(folder, "straight", [layout], Steps, gpusPerNode);
        Assert.Equal(0, await TrainAsync(straight, "s0"));

        var interrupted = await JobFolderAsync(folder, "interrupted", [layout], Steps, gpusPerNode);
        var launcher = LlamaTrainProcess.Start(interrupted, "train", "--job", "job.yaml", "--stage", "s0");
        await WaitForStepAsync(interrupted, launcher, 3);
        Signal(launcher.Id, "TERM");
        await launcher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(TrainerExitCodes.Interrupted, launcher.ExitCode);

        launcher = LlamaTrainProcess.Start(interrupted, "train", "--job", "job.yaml", "--stage", "s0");
        var resumedAt = await WaitForStepAsync(interrupted, launcher, (await HeartbeatAsync(interrupted))!.Step + 2);
        var worker = WorkerOf(launcher.Id, rank: 1);
        var killed = Stopwatch.StartNew();
        Signal(worker, "KILL");
        await launcher.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        // The dead worker's code (SIGKILL: 128 + 9), the first failure, within seconds (peer failure, not the timeout).
        Assert.Equal(137, launcher.ExitCode);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(20 + 5), $"the gang took {killed.Elapsed} to stop");
        Assert.True(resumedAt < Steps, "the run ended before the kill");

        Assert.Equal(0, await TrainAsync(interrupted, "s0"));

        var expected = await FinalShardsAsync(straight);
        var actual = await FinalShardsAsync(interrupted);
        Assert.Equal(["rank-00000.bin", "rank-00001.bin"], expected.Keys.Order());
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} of the final checkpoint differs from the uninterrupted run's");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_rank_that_never_arrives_ends_the_rendezvous_with_an_error_naming_it_and_the_store()
    {
        using var folder = new TempFolder();
        var job = await JobFolderAsync(folder, "alone", ["{ dp: 2 }"]);
        var port = StandaloneGang.FreePort();
        var output = new List<string>();
        var environment = new Dictionary<string, string>
        {
            ["RANK"] = "0",
            ["WORLD_SIZE"] = "2",
            ["LLAMA_DP"] = "2",
            ["MASTER_ADDR"] = "127.0.0.1",
            ["MASTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["LLAMA_COLLECTIVE_TIMEOUT_SECONDS"] = "3",
        };
        using var process = LlamaTrainProcess.Start(job, environment, line => { lock (output) { output.Add(line); } }, "train", "--job", "job.yaml", "--stage", "s0");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(TrainerExitCodes.CollectiveTimeout, process.ExitCode);
        var error = string.Join("\n", output);
        Assert.Contains("rank 1", error);
        Assert.Contains($"127.0.0.1:{port}", error);
    }

    private static async Task<Heartbeat?> HeartbeatAsync(string folder) =>
        await new HeartbeatStore(new LocalFolderStore(Path.Combine(folder, "ckpt"))).ReadAsync();

    private static async Task<long> WaitForStepAsync(string folder, Process process, long step)
    {
        for (var wait = Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            Assert.False(process.HasExited, $"llama-train exited with {(process.HasExited ? process.ExitCode : 0)} before step {step}");
            Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2), $"no heartbeat of step {step} within 2 minutes");
            if (await HeartbeatAsync(folder) is { } heartbeat && heartbeat.Step >= step)
            {
                return heartbeat.Step;
            }
        }
    }

    /// <summary>The launcher's worker process of global rank <paramref name="rank"/> (its RANK in /proc/PID/environ).</summary>
    private static int WorkerOf(int launcher, int rank)
    {
        foreach (var task in Directory.GetDirectories($"/proc/{launcher}/task"))
        {
            foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
            {
                var environ = File.ReadAllText($"/proc/{child}/environ").Split('\0');
                if (environ.Contains($"RANK={rank}"))
                {
                    return child;
                }
            }
        }
        throw new InvalidOperationException($"launcher {launcher} has no worker of rank {rank}");
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task<Dictionary<string, byte[]>> FinalShardsAsync(string folder)
    {
        var store = new CheckpointStore(new LocalFolderStore(Path.Combine(folder, "ckpt")));
        var final = (await store.ListCommittedAsync())[0];
        Assert.True(final.StageEnd);
        var checkpoint = Path.Combine(folder, "ckpt", "checkpoints", final.Id);
        return Directory.GetFiles(checkpoint, "rank-*.bin").ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
    }
}
