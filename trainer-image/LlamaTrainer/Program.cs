using System.CommandLine;
using LlamaTrainer.Cli;

namespace LlamaTrainer;

public static class Program
{
    /// <summary>
    /// On SIGTERM/SIGINT the command finishes its step and checkpoints (see TrainCommand). System.CommandLine would
    /// return after 2 s, ending the process mid-checkpoint; the pod's grace period (300 s) bounds the wait instead.
    /// </summary>
    public static Task<int> Main(string[] args) =>
        BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(300) });

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
