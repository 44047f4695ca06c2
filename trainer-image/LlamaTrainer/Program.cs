using System.CommandLine;
using LlamaTrainer.Cli;

namespace LlamaTrainer;

public static class Program
{
    public static Task<int> Main(string[] args) => BuildRoot().Parse(args).InvokeAsync();

    /// <summary>Every command lives in its own file under Cli/; this is the only list of them.</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("llama-train: the TorchSharp trainer of LlamaOperator");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(AverageCommand.Create());
        root.Subcommands.Add(PrepareDataCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
