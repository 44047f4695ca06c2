using System.CommandLine;
using System.Runtime.InteropServices;
using LlamaTrainer.Parallel;
using LlamaTrainer.Training;

namespace LlamaTrainer.Cli;

/// <summary>`llama-train train`: one stage of a job; the pod environment (LLAMA_STAGE, LLAMA_CHECKPOINT_URI, ...) gives the defaults.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var job = new Option<FileInfo>("--job") { Description = "LlamaTrainingJob manifest (YAML or JSON)", Required = true };
        var stage = new Option<string?>("--stage") { Description = "Stage name (default: env LLAMA_STAGE)" };
        var lengthIndex = new Option<int?>("--length-index") { Description = "LongContext: index into the stage's sequenceLengths" };
        var checkpointUri = new Option<string?>("--checkpoint-uri") { Description = "Checkpoint store (default: env LLAMA_CHECKPOINT_URI, else spec.checkpoint.storage)" };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder for relative data source paths (default: the manifest's folder)" };
        var metricsDir = new Option<string?>("--metrics-dir") { Description = "Folder for metrics.jsonl and TensorBoard events" };
        var peakFlops = new Option<double?>("--peak-flops") { Description = "Device peak FLOP/s in the training precision, for MFU (H100 SXM bf16: 989e12)" };
        var heartbeatEvery = new Option<int>("--heartbeat-every") { Description = "Steps between heartbeats", DefaultValueFactory = _ => 1 };

        var command = new Command("train", "Train one stage of a job, resuming from its newest valid checkpoint");
        foreach (var option in new Option[] { job, stage, lengthIndex, checkpointUri, dataRoot, metricsDir, peakFlops, heartbeatEvery })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var log = Logging.Create();
            return ExitCodes.GuardAsync(log, async () =>
            {
                var environment = DistributedEnvironment.FromProcess();
                var options = new TrainOptions
                {
                    JobPath = parse.GetValue(job)!.FullName,
                    Stage = parse.GetValue(stage) ?? environment.Stage
                        ?? throw new ArgumentException("--stage is required (or set LLAMA_STAGE)"),
                    LengthIndex = parse.GetValue(lengthIndex),
                    CheckpointUri = parse.GetValue(checkpointUri) ?? environment.CheckpointUri,
                    DataRoot = parse.GetValue(dataRoot),
                    MetricsDir = parse.GetValue(metricsDir),
                    PeakFlopsPerSecond = parse.GetValue(peakFlops),
                    HeartbeatEverySteps = parse.GetValue(heartbeatEvery),
                };

                // SIGTERM (pod deletion, preemption): finish the step, checkpoint, exit within the grace period.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                {
                    context.Cancel = true;
                    log.Warning("SIGTERM: stopping after the current step");
                    stop.Cancel();
                });
                return await TrainJob.RunAsync(options, TrainingData.OpenAsync, environment, log, stop.Token);
            });
        });
        return command;
    }
}
