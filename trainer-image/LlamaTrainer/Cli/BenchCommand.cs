using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Benchmarks;
using LlamaTrainer.Collectives;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Benchmark;
using static TorchSharp.torch;

namespace LlamaTrainer.Cli;

/// <summary>`llama-train bench train|checkpoint`: the figures in docs/benchmarks.md.</summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions IndentedJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: training-step throughput, checkpoint save/load bandwidth, collectives, parallel layouts, attention memory");
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Checkpoint());
        command.Subcommands.Add(ParallelLayout());
        command.Subcommands.Add(Collectives());
        command.Subcommands.Add(AttentionMemory());
        command.Subcommands.Add(ParallelWorker());
        return command;
    }

    /// <summary>`bench collectives`: Gloo's all-reduce, reduce-scatter and all-gather bus bandwidth against memcpy.</summary>
    private static Command Collectives()
    {
        var ranks = new Option<int[]>("--ranks") { Description = "Gang sizes to measure (ranks as threads, Gloo over loopback)", DefaultValueFactory = _ => [2, 4], AllowMultipleArgumentsPerToken = true };
        var megabytes = new Option<int>("--megabytes") { Description = "Buffer size in MiB", DefaultValueFactory = _ => 64 };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs of each collective (the median is reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("collectives", "Bus bandwidth of the CPU collectives (Gloo) against single-thread memcpy measured in the same run");
        command.Options.Add(ranks);
        command.Options.Add(megabytes);
        command.Options.Add(iterations);
        command.SetAction(parse =>
        {
            foreach (var n in parse.GetValue(ranks)!)
            {
                using var gang = new LoopbackGang();
                var report = CollectiveBenchmark.RunThreads(n, rank => gang.Rank(rank, n), (long)parse.GetValue(megabytes) << 20, parse.GetValue(iterations));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Ranks} ranks, {report.Bytes / 1e6:F0} MB, memcpy {report.MemcpyGBps:F2} GB/s (1 thread)"));
                foreach (var c in report.Collectives)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {c.Operation,-15} {c.Median.TotalMilliseconds,8:F1} ms  algorithm {c.AlgorithmGBps:F2} GB/s  bus {c.BusGBps:F2} GB/s  ({c.BusGBps / report.MemcpyGBps:P1} of memcpy)"));
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>`bench attention`: peak memory of attention's forward and backward against the sequence length.</summary>
    private static Command AttentionMemory()
    {
        var lengths = new Option<int[]>("--lengths") { Description = "Sequence lengths to measure", DefaultValueFactory = _ => [4096, 16384, 65536], AllowMultipleArgumentsPerToken = true };
        var command = new Command("attention", "Peak memory of one attention layer's forward and backward at each sequence length (one document)");
        command.Options.Add(lengths);
        command.SetAction(parse =>
        {
            var results = AttentionBenchmark.Run(parse.GetValue(lengths)!);
            foreach (var r in results)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"T = {r.SequenceLength,6}: peak {r.PeakBytes / 1e6,8:F1} MB ({r.PeakBytes / (double)results[0].PeakBytes:F2}x T = {results[0].SequenceLength}), {r.Elapsed.TotalSeconds,6:F1} s; a dense mask alone would be {r.DenseMaskBytes / 1e6:F0} MB"));
            }

            return 0;
        });
        return command;
    }

    /// <summary>`bench parallel`: the same steps in one process and under a layout; loss equality and speed-up.</summary>
    private static Command ParallelLayout()
    {
        Option<int> Degree(string name) => new(name) { Description = $"{name[2..].ToUpperInvariant()} degree", DefaultValueFactory = _ => 1 };
        var (tp, cp, pp, dp) = (Degree("--tp"), Degree("--cp"), Degree("--pp"), Degree("--dp"));
        var virtualStages = new Option<int>("--virtual-stages") { Description = "Pipeline stages per PP rank (interleaved 1F1B above 1)", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Measured steps (after 2 warm-up steps)", DefaultValueFactory = _ => 20 };
        var sequence = new Option<int>("--seq") { Description = "Sequence length", DefaultValueFactory = _ => 256 };
        var micro = new Option<int>("--micro-batch") { Description = "Sequences per micro-batch", DefaultValueFactory = _ => 4 };
        var global = new Option<int>("--global-batch") { Description = "Sequences per step (the same in both runs)", DefaultValueFactory = _ => 16 };
        var layers = new Option<int>("--layers") { Description = "Transformer layers (every pipeline stage needs one: pp x virtual stages at most)", DefaultValueFactory = _ => ParallelBenchmarkOptions.Model6M.Layers };
        var vocabulary = new Option<int>("--vocab") { Description = "Vocabulary size (a small one balances pipeline stages: the last holds the output head)", DefaultValueFactory = _ => ParallelBenchmarkOptions.Model6M.VocabSize };
        var output = new Option<string>("--output") { Description = "text or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("parallel", "Loss equality and tokens/s of a parallel layout (ranks as processes here) against one process");
        foreach (var option in new Option[] { tp, cp, pp, dp, virtualStages, steps, sequence, micro, global, layers, vocabulary, output })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            var log = Logging.Create();
            return ExitCodes.GuardAsync(log, async () =>
            {
                var layout = new ResolvedParallelism(parse.GetValue(tp), parse.GetValue(cp), parse.GetValue(pp), parse.GetValue(dp)) { VirtualStages = parse.GetValue(virtualStages) };
                var options = new ParallelBenchmarkOptions(layout, parse.GetValue(steps), 2, parse.GetValue(sequence), parse.GetValue(micro), parse.GetValue(global), ParallelBenchmarkOptions.Model6M with { Layers = parse.GetValue(layers), VocabSize = parse.GetValue(vocabulary) });
                var result = await ParallelBenchmark.RunAsync(options, log, cancellationToken);
                Console.WriteLine(parse.GetValue(output) == "json"
                    ? JsonSerializer.Serialize(result, IndentedJson)
                    : string.Create(CultureInfo.InvariantCulture,
                        $"model {result.Parameters / 1e6:F1}M params, {result.Steps} steps of {result.BatchTokens} tokens, tp={layout.Tp} cp={layout.Cp} pp={layout.Pp} dp={layout.Dp}{(layout.VirtualStages > 1 ? $" ({layout.VirtualStages} virtual stages a PP rank)" : "")}\n" +
                        $"max relative loss difference: {result.MaxRelativeLossDifference:E2}\n" +
                        $"tokens/s: {result.TokensPerSecond:F0} ({layout.WorldSize} processes) vs {result.SingleProcessTokensPerSecond:F0} (1 process): {result.Speedup:F2}x\n" +
                        $"rank 0's collectives per step: tp {Megabytes(result.Parallel.TrafficPerStep.Tp)} (analytic {Megabytes(result.AnalyticTrafficPerStep.Tp)}), " +
                        $"cp {Megabytes(result.Parallel.TrafficPerStep.Cp)} (analytic {Megabytes(result.AnalyticTrafficPerStep.Cp)}), " +
                        $"pp {Megabytes(result.Parallel.TrafficPerStep.Pp)} (analytic {Megabytes(result.AnalyticTrafficPerStep.Pp)}), " +
                        $"dp {Megabytes(result.Parallel.TrafficPerStep.Dp)} (analytic {Megabytes(result.AnalyticTrafficPerStep.Dp)})\n" +
                        $"rank 0's share of the step in pipeline sends and receives: {result.Parallel.PipelineWaitFraction:P1} (the schedule's bubble (PP-1)/(V*M+PP-1): {result.PipelineBubble:P1})\n" +
                        $"checkpoint of weights + moments: {CheckpointFigures(result.Parallel)} ({layout.WorldSize} processes) vs {CheckpointFigures(result.SingleProcess)} (1 process)"));
                return 0;
            });
        });
        return command;
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F2} MB");

    private static string CheckpointFigures(ParallelRunResult run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.CheckpointBytesPerRank / 1e6:F1} MB per rank, save {run.SaveMegabytesPerSecond:F0} MB/s, load {run.LoadMegabytesPerSecond:F0} MB/s");

    /// <summary>One rank of `bench parallel`, started by it with the gang's environment.</summary>
    private static Command ParallelWorker()
    {
        var result = new Option<string>("--result") { Required = true };
        var checkpoints = new Option<string>("--checkpoints") { Required = true };
        var options = new Option<string>("--options") { Required = true };
        var command = new Command("parallel-worker", "One rank of `bench parallel` (started by it)") { Hidden = true };
        command.Options.Add(result);
        command.Options.Add(checkpoints);
        command.Options.Add(options);
        command.SetAction((parse, _) =>
        {
            var environment = DistributedEnvironment.FromProcess();
            var log = Logging.Create(environment);
            return ExitCodes.GuardAsync(log, async () =>
            {
                var parsed = JsonSerializer.Deserialize<ParallelBenchmarkOptions>(parse.GetValue(options)!)
                    ?? throw new ArgumentException("--options: expected the benchmark's options as JSON");
                await ParallelBenchmark.WorkAsync(parsed, environment, parse.GetValue(result)!, parse.GetValue(checkpoints)!, log);
                return 0;
            });
        });
        return command;
    }

    /// <summary>`bench checkpoint`: ckpt's commit + verified load of random shards on a store.</summary>
    private static Command Checkpoint()
    {
        var store = new Option<string>("--store") { Description = "Folder or blob container URL (credentials from AZURE_STORAGE_CONNECTION_STRING)", Required = true };
        var megabytes = new Option<int>("--megabytes") { Description = "Checkpoint size in MB", DefaultValueFactory = _ => 256 };
        var shards = new Option<int>("--shards") { Description = "Shards written and read in parallel", DefaultValueFactory = _ => 4 };
        var command = new Command("checkpoint", "Checkpoint save and load MB/s on a store");
        command.Options.Add(store);
        command.Options.Add(megabytes);
        command.Options.Add(shards);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await CheckpointBenchmark.RunAsync(ObjectStores.Open(parse.GetValue(store)!), parse.GetValue(megabytes) * 1_000_000L, parse.GetValue(shards), cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Location}: {result.Bytes / 1e6:F0} MB in {result.Shards} shards, save {result.SaveMegabytesPerSecond:F0} MB/s, load {result.LoadMegabytesPerSecond:F0} MB/s"));
            return 0;
        });
        return command;
    }

    private static Command Train()
    {
        var sequence = new Option<int>("--seq") { Description = "Sequence length", DefaultValueFactory = _ => 256 };
        var micro = new Option<int>("--micro-batch") { Description = "Sequences per step", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Measured steps (after 2 warm-up steps), each paired with a matmul measurement", DefaultValueFactory = _ => 5 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: libtorch's choice)" };
        var matmul = new Option<int>("--matmul-size") { Description = "n of the n x n fp32 reference matmul", DefaultValueFactory = _ => 2048 };
        var checkpointing = new Option<ActivationCheckpointing>("--activation-checkpointing") { Description = "None or Full (every layer recomputed in backward)" };

        var command = new Command("train", "Tokens/s and FLOP/s of full training steps of a ~25M-parameter model vs. a large fp32 matmul");
        command.Options.Add(sequence);
        command.Options.Add(micro);
        command.Options.Add(steps);
        command.Options.Add(threads);
        command.Options.Add(matmul);
        command.Options.Add(checkpointing);
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } n)
            {
                set_num_threads(n);
            }
            var result = TrainingBenchmark.Run(TrainingBenchmark.Model25M, parse.GetValue(sequence), parse.GetValue(micro), 2, parse.GetValue(steps), parse.GetValue(matmul), parse.GetValue(checkpointing));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model {result.Parameters / 1e6:F1}M params, seq {result.SequenceLength} x {result.MicroBatch}, {result.Threads} threads, activation checkpointing {parse.GetValue(checkpointing)}\n" +
                $"train step: {result.TokensPerSecond:F0} tokens/s, {result.StepFlopsPerSecond / 1e9:F1} GFLOP/s (all params but the input embedding + attention)\n" +
                $"fp32 matmul: {result.MatmulFlopsPerSecond / 1e9:F1} GFLOP/s\n" +
                $"ratio: {result.RatioToMatmul:P1}"));
            return 0;
        });
        return command;
    }
}
