using System.CommandLine;
using LlamaOperator.Api.Layout;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop render FILE --stage NAME [--output-dir DIR]`: the Kubernetes objects of one stage as YAML.</summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "LlamaTrainingJob manifest (YAML or JSON)" };
        var stage = new Option<string>("--stage") { Description = "Stage to render", Required = true };
        var outputDir = new Option<string?>("--output-dir") { Description = "Write <job>-<stage>.yaml into this folder instead of stdout" };

        var command = new Command("render", "Print the PodGroup, ConfigMap, headless Service and pods of a stage as YAML for kubectl apply") { file, stage, outputDir };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            var job = LoadedJob.TryLoad(path, stderr);
            if (job is null)
            {
                return 1;
            }

            RenderedStage rendered;
            try
            {
                rendered = StageRenderer.Render(job.Job, job.Resolved, StagePlanner.Plan(job.Resolved, parse.GetValue(stage)!));
            }
            catch (PlanException ex)
            {
                stderr.WriteLine($"{path}: {ex.Message}");
                return 1;
            }

            var yaml = StageYaml.Serialize(rendered);
            var directory = parse.GetValue(outputDir);
            if (directory is null)
            {
                stdout.Write(yaml);
                return 0;
            }

            Directory.CreateDirectory(directory);
            var target = Path.Combine(directory, $"{job.Resolved.Name}-{parse.GetValue(stage)}.yaml");
            File.WriteAllText(target, yaml);
            stdout.WriteLine($"wrote {target} ({rendered.Objects().Count()} objects, {rendered.Pods.Count} pods)");
            return 0;
        });
        return command;
    }
}
