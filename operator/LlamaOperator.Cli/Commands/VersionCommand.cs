using System.CommandLine;
using System.Reflection;

namespace LlamaOperator.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the llamaop version and the API version it serves");
        command.SetAction(parse =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
            parse.InvocationConfiguration.Output.WriteLine($"llamaop {version} ({Api.V1Alpha1.ApiGroup.ApiVersion})");
            return 0;
        });
        return command;
    }
}
