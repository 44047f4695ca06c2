using System.CommandLine;
using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Cli.Output;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop plan FILE [--stage NAME] [--output table|json]`: the 4D layout and memory estimate of each stage.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "LlamaTrainingJob manifest (YAML or JSON)" };
        var stage = new Option<string?>("--stage") { Description = "Plan only this stage" };
        var output = new Option<string>("--output", "-o") { Description = "table or json", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");

        var command = new Command("plan", "Show each stage's world size, nodes, parallel groups, pipeline split and per-GPU memory estimate") { file, stage, output };
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

            IReadOnlyList<StagePlan> plans;
            try
            {
                var stageName = parse.GetValue(stage);
                plans = stageName is null ? StagePlanner.PlanAll(job.Resolved) : [StagePlanner.Plan(job.Resolved, stageName)];
            }
            catch (PlanException ex)
            {
                stderr.WriteLine($"{path}: {ex.Message}");
                return 1;
            }

            if (parse.GetValue(output) == "json")
            {
                stdout.WriteLine(ApiJson.Serialize(plans.Select(PlanReport.From).ToList(), indented: true));
            }
            else
            {
                foreach (var plan in plans)
                {
                    PlanTable.Write(plan, stdout);
                }
            }

            return 0;
        });
        return command;
    }
}
