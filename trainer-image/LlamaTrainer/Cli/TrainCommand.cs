using System.CommandLine;
using System.Runtime.InteropServices;
using LlamaOperator.Api.Resolution;
using LlamaTrainer.Job;
using LlamaTrainer.Launch;
using LlamaTrainer.Parallel;
using LlamaTrainer.Training;
using Serilog.Context;

namespace LlamaTrainer.Cli;

/// <summary>`llama-train train`: one stage of a job; the pod environment (LLAMA_STAGE, LLAMA_CHECKPOINT_URI, ...) gives the defaults.</summary>
internal static class TrainCommand
{
    /// <summary>How long the other workers get to exit after one failed (they are stuck in, or about to fail, a collective).</summary>
    private static readonly TimeSpan AfterFailureGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The workers this process must start instead of training itself: NPROC_PER_NODE of them in a pod that runs more
    /// than one process (RANK unset), or the stage's whole layout when run outside a cluster; null when this process
    /// is a worker (RANK set, or a world of one).
    /// </summary>
    private static IReadOnlyList<WorkerSpec>? Workers(DistributedEnvironment environment, TrainOptions options)
    {
        if (environment.RankGiven)
        {
            return null;
        }

        var command = LaunchPlan.SelfCommand();
        var ompThreads = Environment.GetEnvironmentVariable("OMP_NUM_THREADS");
        if (environment.ProcessesPerNode > 1)
        {
            return LaunchPlan.For(environment.NodeRank, environment.ProcessesPerNode, Environment.ProcessorCount, ompThreads, command, new Dictionary<string, string>());
        }

        if (environment.WorldSize > 1)
        {
            return null; // FromProcess already refused a world without ranks
        }

        var job = JobManifest.Load(options.JobPath);
        var index = job.Spec.Stages.FindIndex(s => s.Name == options.Stage);
        var parallelism = index < 0 ? null : JobResolver.Resolve(job).Stages[index].Parallelism;
        if (parallelism is null || parallelism.WorldSize == 1)
        {
            return null; // one process (an unknown stage is reported by the run itself)
        }

        var gang = StandaloneGang.Variables(parallelism, StandaloneGang.FreePort(), $"local-{Environment.ProcessId}");
        return LaunchPlan.For(0, (int)parallelism.WorldSize, Environment.ProcessorCount, ompThreads, command, gang);
    }

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
        var logEveryRank = new Option<bool>("--log-every-rank") { Description = "Every rank logs its step lines (default: global rank 0 only)" };

        var command = new Command("train", "Train one stage of a job, resuming from its newest valid checkpoint");
        foreach (var option in new Option[] { job, stage, lengthIndex, checkpointUri, dataRoot, metricsDir, peakFlops, heartbeatEvery, logEveryRank })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            DistributedEnvironment environment;
            try
            {
                environment = DistributedEnvironment.FromProcess();
            }
            catch (ArgumentException e)
            {
                // The rank is unknown yet: logged as rank 0, and an input error like any other.
                return ExitCodes.GuardAsync(Logging.Create(), () => throw e);
            }

            var log = Logging.Create(environment);
            return ExitCodes.GuardAsync(log, async () =>
            {
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
                    LogEveryRank = parse.GetValue(logEveryRank),
                };

                // SIGTERM (pod deletion, preemption): finish the step, checkpoint, exit within the grace period.
                // The launcher forwards it to its workers and waits for them.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                {
                    context.Cancel = true;
                    log.Warning("SIGTERM: stopping after the current step");
                    try
                    {
                        stop.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // the run is over; a late signal (e.g. the launcher stopping its workers) has nothing to stop
                    }
                });

                if (Workers(environment, options) is { } workers)
                {
                    using var launcher = LogContext.PushProperty("Rank", "launcher");
                    var launched = await new WorkerLauncher(AfterFailureGrace, log).RunAsync(workers, stop.Token);
                    if (launched.Cause is { } cause)
                    {
                        TerminationMessage.Write(cause);
                    }

                    return launched.Code;
                }

                return await TrainJob.RunAsync(options, TrainingData.OpenAsync, environment, log, stop.Token);
            });
        });
        return command;
    }
}
