using System.CommandLine;
using System.Text.Json;
using LlamaOperator.Api;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Data.Eval;
using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Data.Tokenization;
using LlamaTrainer.Evaluation;
using LlamaTrainer.Job;
using LlamaTrainer.Model;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Training;
using Serilog;
using TorchSharp;

namespace LlamaTrainer.Cli;

/// <summary>
/// `llama-train eval`: held-out loss at a short context and needle-in-a-haystack at given lengths for a checkpoint's
/// model (or, with --final, of the final averaged model). Results (a <see cref="CheckpointEvals"/>) go to
/// evals/&lt;checkpoint id&gt;.json (evals/final/&lt;id&gt;.json) in the job's store and to --output.
/// </summary>
internal static class EvalCommand
{
    public const string EvalsFolder = "evals";

    public static Command Create()
    {
        var job = new Option<FileInfo>("--job") { Description = "LlamaTrainingJob manifest (YAML or JSON)", Required = true };
        var checkpointUri = new Option<string?>("--checkpoint-uri") { Description = "Checkpoint store (default: env LLAMA_CHECKPOINT_URI, else spec.checkpoint.storage)" };
        var checkpointId = new Option<string?>("--checkpoint") { Description = "Checkpoint id (default: the newest valid one)" };
        var final = new Option<bool>("--final") { Description = "Evaluate the final (averaged) model in final/ instead of a training checkpoint" };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder for relative data paths (default: the manifest's folder)" };
        var shortContext = new Option<int>("--short-context") { Description = "Sequence length of the held-out loss", DefaultValueFactory = _ => 256 };
        var maxBatches = new Option<int>("--max-batches") { Description = "Held-out batches of 8 sequences to evaluate at most", DefaultValueFactory = _ => CheckpointEvaluator.DefaultMaxBatches };
        var needleLengths = new Option<int[]>("--needle-lengths") { Description = "Context lengths of the needle-in-a-haystack probes", AllowMultipleArgumentsPerToken = true };
        var needleDepths = new Option<int>("--needle-depths") { Description = "Probes (depths from 0 to 1) per length", DefaultValueFactory = _ => 5 };
        var output = new Option<FileInfo?>("--output") { Description = "Also write the results as JSON to this file" };

        var command = new Command("eval", "Evaluate a checkpoint: held-out loss and needle-in-a-haystack accuracy");
        foreach (var option in new Option[] { job, checkpointUri, checkpointId, final, dataRoot, shortContext, maxBatches, needleLengths, needleDepths, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var log = Logging.Create();
            return ExitCodes.GuardAsync(log, async () =>
            {
                var path = parse.GetValue(job)!.FullName;
                var folder = Path.GetDirectoryName(path)!;
                var manifest = JobManifest.Load(path);
                var config = JobManifest.Model(manifest);
                var objects = ObjectStores.Open(parse.GetValue(checkpointUri) ?? Environment.GetEnvironmentVariable("LLAMA_CHECKPOINT_URI") ?? JobLocations.CheckpointUri(manifest, folder));
                var checkpoints = new CheckpointStore(objects, parse.GetValue(final) ? CheckpointStore.FinalFolder : CheckpointStore.CheckpointsFolder, log);
                var loaded = parse.GetValue(checkpointId) is { } id
                    ? await checkpoints.OpenAsync(id, cancellationToken)
                    : await checkpoints.OpenNewestValidAsync(cancellationToken) ?? throw new InvalidDataException($"no valid checkpoint at {checkpoints.Location}");
                var device = ComputeDevice.Select();
                using var model = new LlamaTransformer(config);
                await ModelWeights.LoadAsync(model, loaded, cancellationToken);
                model.to(device.Device, device.DType);

                var evaluator = await CheckpointEvaluator.OpenAsync(manifest, parse.GetValue(dataRoot) ?? folder, device.Device, parse.GetValue(maxBatches), log, cancellationToken);
                var evals = evaluator.Evaluate(model, parse.GetValue(shortContext), parse.GetValue(needleLengths) ?? [], parse.GetValue(needleDepths), baseline: null);

                var json = JsonSerializer.SerializeToUtf8Bytes(evals, StoredJson.Options);
                // The final model shares its id with the last checkpoint it averages, so its evals get their own folder.
                var evalsKey = parse.GetValue(final) ? $"{EvalsFolder}/{CheckpointStore.FinalFolder}/{loaded.Manifest.Id}.json" : $"{EvalsFolder}/{loaded.Manifest.Id}.json";
                await objects.PutAsync(evalsKey, new MemoryStream(json), cancellationToken);
                if (parse.GetValue(output) is { } file)
                {
                    file.Directory?.Create();
                    await File.WriteAllBytesAsync(file.FullName, json, cancellationToken);
                }
                log.Information("Evals of {CheckpointId}: short-context loss {Loss:F4} at {Length}, needle {Needle}",
                    loaded.Manifest.Id, evals.ShortContextLoss, evals.ShortContextLength, evals.Needle.Select(n => $"{n.Length}:{n.Accuracy:P0}"));
                return TrainerExitCodes.Success;
            });
        });
        return command;
    }
}
