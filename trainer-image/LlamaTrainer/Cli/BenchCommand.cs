using System.CommandLine;
using System.Globalization;
using LlamaTrainer.Benchmarks;
using static TorchSharp.torch;

namespace LlamaTrainer.Cli;

/// <summary>`llama-train bench`: training-step throughput against the matmul rate of this machine.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var sequence = new Option<int>("--seq") { Description = "Sequence length", DefaultValueFactory = _ => 256 };
        var micro = new Option<int>("--micro-batch") { Description = "Sequences per step", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Measured steps (after 2 warm-up steps)", DefaultValueFactory = _ => 5 };
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: libtorch's choice)" };
        var matmul = new Option<int>("--matmul-size") { Description = "n of the n x n fp32 reference matmul", DefaultValueFactory = _ => 2048 };

        var command = new Command("bench", "Tokens/s and FLOP/s of full training steps of a ~25M-parameter model vs. a large fp32 matmul");
        command.Options.Add(sequence);
        command.Options.Add(micro);
        command.Options.Add(steps);
        command.Options.Add(threads);
        command.Options.Add(matmul);
        command.SetAction(parse =>
        {
            if (parse.GetValue(threads) is { } n)
            {
                set_num_threads(n);
            }
            var result = TrainingBenchmark.Run(TrainingBenchmark.Model25M, parse.GetValue(sequence), parse.GetValue(micro), 2, parse.GetValue(steps), parse.GetValue(matmul));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model {result.Parameters / 1e6:F1}M params, seq {result.SequenceLength} x {result.MicroBatch}, {result.Threads} threads\n" +
                $"train step: {result.TokensPerSecond:F0} tokens/s, {result.StepFlopsPerSecond / 1e9:F1} GFLOP/s (all params but the input embedding + attention)\n" +
                $"fp32 matmul: {result.MatmulFlopsPerSecond / 1e9:F1} GFLOP/s\n" +
                $"ratio: {result.RatioToMatmul:P1}"));
            return 0;
        });
        return command;
    }
}
