using System.CommandLine;
using LlamaOperator.Core.Crd;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop crds [--output-dir DIR]`: writes the CustomResourceDefinition generated from the API types.</summary>
internal static class CrdsCommand
{
    public static Command Create()
    {
        var outputDir = new Option<DirectoryInfo>("--output-dir") { Description = "Folder to write the CRD into", DefaultValueFactory = _ => new DirectoryInfo("crds") };
        var command = new Command("crds", "Write the LlamaTrainingJob CustomResourceDefinition (YAML)") { outputDir };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(outputDir)!;
            dir.Create();
            var path = Path.Combine(dir.FullName, CrdGenerator.FileName);
            File.WriteAllText(path, CrdGenerator.GenerateYaml());
            parse.InvocationConfiguration.Output.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }
}
