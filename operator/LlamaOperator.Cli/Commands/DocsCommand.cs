using System.CommandLine;
using LlamaOperator.Core.Docs;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop docs [--output FILE]`: writes the API reference generated from the API types.</summary>
internal static class DocsCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--output") { Description = "Markdown file to write", DefaultValueFactory = _ => new FileInfo(ApiReferenceWriter.RelativePath) };
        var command = new Command("docs", "Write the LlamaTrainingJob API reference (Markdown)") { output };
        command.SetAction(parse =>
        {
            var file = parse.GetValue(output)!;
            file.Directory?.Create();
            File.WriteAllText(file.FullName, ApiReferenceWriter.Write());
            parse.InvocationConfiguration.Output.WriteLine($"wrote {file.FullName}");
            return 0;
        });
        return command;
    }
}
