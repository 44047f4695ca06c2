using System.CommandLine;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop bench ...`: benchmarks that report the figures each capability must reach.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Run a benchmark and print its figures");
        // Each benchmark is a subcommand in its own file, added here.
        command.Subcommands.Add(BenchPlanRenderCommand.Create());
        command.Subcommands.Add(BenchDevClusterCommand.Create());
        command.Subcommands.Add(BenchRuntimeCommand.Create());
        command.Subcommands.Add(BenchOperatorCommand.Create());
        return command;
    }
}
