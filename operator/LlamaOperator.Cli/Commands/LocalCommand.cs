using System.CommandLine;
using LlamaOperator.Cli.Local;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop local FILE`: the whole job on this machine (dev cluster + operator + the built trainer) with live progress.</summary>
internal static class LocalCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "LlamaTrainingJob manifest; its relative local paths are relative to its folder" };
        var keepRunning = new Option<bool>("--keep-running") { Description = "Leave the dev cluster up after the job ends (until Ctrl+C)" };
        var workDir = new Option<string?>("--work-dir") { Description = "Folder for the dev cluster (kubeconfig, pod folders) and llamaop.log (default: .work/local/<job> in the checkout)" };
        var command = new Command("local", "Run a job on this machine: dev cluster, operator and trainer processes, with live progress; exit 0 when it Succeeded, 1 when it Failed");
        command.Arguments.Add(file);
        command.Options.Add(keepRunning);
        command.Options.Add(workDir);
        command.SetAction((parse, cancellationToken) => LocalRun.RunAsync(
            new LocalRunOptions(parse.GetValue(file)!, parse.GetValue(workDir), parse.GetValue(keepRunning)),
            ProgressConsole.For(parse.InvocationConfiguration.Output),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }
}
