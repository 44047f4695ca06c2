using System.CommandLine;
using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
using LlamaTrainer.Job;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Training;

namespace LlamaTrainer.Cli;

/// <summary>`llama-train average`: Polyak-average a stage's last K checkpoints into the final model (final/).</summary>
internal static class AverageCommand
{
    public static Command Create()
    {
        var job = new Option<FileInfo>("--job") { Description = "LlamaTrainingJob manifest (YAML or JSON)", Required = true };
        var stage = new Option<string?>("--stage") { Description = "Stage whose checkpoints are averaged (default: env LLAMA_STAGE)" };
        var count = new Option<int?>("--count") { Description = "How many of the stage's newest checkpoints (default: the stage's averaging.checkpoints, else " + JobDefaults.AveragingCheckpoints + ")" };
        var checkpointUri = new Option<string?>("--checkpoint-uri") { Description = "Checkpoint store (default: env LLAMA_CHECKPOINT_URI, else spec.checkpoint.storage)" };

        var command = new Command("average", "Average the last K checkpoints of a stage (Polyak averaging) into the final model");
        foreach (var option in new Option[] { job, stage, count, checkpointUri })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var log = Logging.Create();
            return ExitCodes.GuardAsync(log, async () =>
            {
                var path = parse.GetValue(job)!.FullName;
                var manifest = JobManifest.Load(path);
                var stageName = parse.GetValue(stage) ?? Environment.GetEnvironmentVariable("LLAMA_STAGE")
                    ?? throw new ArgumentException("--stage is required (or set LLAMA_STAGE)");
                var spec = manifest.Spec.Stages.Find(s => s.Name == stageName)
                    ?? throw new ArgumentException($"stage '{stageName}' is not in spec.stages");
                var k = parse.GetValue(count) ?? JobResolver.Resolve(manifest).Stages[manifest.Spec.Stages.IndexOf(spec)].Averaging?.Checkpoints ?? JobDefaults.AveragingCheckpoints;
                var uri = parse.GetValue(checkpointUri) ?? Environment.GetEnvironmentVariable("LLAMA_CHECKPOINT_URI")
                    ?? JobLocations.CheckpointUri(manifest, Path.GetDirectoryName(path)!);
                var objects = ObjectStores.Open(uri);

                var result = await CheckpointAveraging.AverageAsync(
                    new CheckpointStore(objects, logger: log), new CheckpointStore(objects, CheckpointStore.FinalFolder, log),
                    stageName, k, JobManifest.Model(manifest), cancellationToken);
                log.Information("Final model {CheckpointId} = mean of {Checkpoints}", result.Id, result.Extra["averagedFrom"]);
                return TrainerExitCodes.Success;
            });
        });
        return command;
    }
}
