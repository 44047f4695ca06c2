using System.CommandLine;
using LlamaOperator.Cli.Commands;

namespace LlamaOperator.Cli;

public static class Program
{
    /// <summary>
    /// Ctrl+C and SIGTERM cancel the running command and wait for it to finish: `local` then stops its pods gracefully,
    /// which can take as long as their termination grace period (System.CommandLine's default gives up after 2 s).
    /// </summary>
    public static int Main(string[] args) =>
        BuildRoot().Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(6) });

    /// <summary>Every command lives in its own file under Commands/; this is the only list of them.</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("llamaop: run Llama-3-style multi-stage pretraining on Kubernetes");
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(RenderCommand.Create());
        root.Subcommands.Add(CrdsCommand.Create());
        root.Subcommands.Add(DocsCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(DevClusterCommand.Create());
        root.Subcommands.Add(LocalCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        return root;
    }
}
