using System.CommandLine;
using LlamaOperator.Api.Validation;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Validation;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop validate FILE`: prints every problem of a manifest; exit 1 on errors, 0 otherwise.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "LlamaTrainingJob manifest (YAML or JSON)" };
        var command = new Command("validate", "Check a LlamaTrainingJob manifest and print every problem") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!.ToString();
            var findings = ManifestValidation.CheckFile(path, [new PlanCheck()]);
            var output = parse.InvocationConfiguration.Output;
            foreach (var finding in findings)
            {
                output.WriteLine(finding.Format(path));
            }

            var errors = findings.Count(f => f.Severity == Severity.Error);
            var warnings = findings.Count - errors;
            output.WriteLine(errors == 0 ? $"{path}: valid ({warnings} warning(s))" : $"{path}: {errors} error(s), {warnings} warning(s)");
            return errors == 0 ? 0 : 1;
        });
        return command;
    }
}
