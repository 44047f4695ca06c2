using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Evaluation;
using LlamaTrainer.Job;
using LlamaTrainer.Metrics;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using LlamaTrainer.Storage.Progress;
using Serilog;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// One stage of a job in this process: resolve the stage, resume from the newest valid checkpoint (of this stage, or
/// the previous stage's end), train to the token budget with checkpoints, metrics and heartbeats.
/// </summary>
public static class TrainJob
{
    /// <summary>Exit code when a stop request (SIGTERM) ended the run after a checkpoint: 128 + 15, as a shell reports it.</summary>
    public const int InterruptedExitCode = 143;

    /// <param name="openData">opens the job's training data for the stage (the mixing sampler in the CLI)</param>
    public static async Task<int> RunAsync(
        TrainOptions options,
        Func<LlamaTrainingJob, string, StageSettings, CancellationToken, Task<StageData>> openData,
        DistributedEnvironment environment,
        ILogger log,
        CancellationToken stop)
    {
        var job = JobManifest.Load(options.JobPath);
        var manifestFolder = Path.GetDirectoryName(Path.GetFullPath(options.JobPath))!;
        var config = JobManifest.Model(job);
        var stage = StageSettings.Resolve(job.Spec, options.Stage, options.LengthIndex, config);
        var plan = SingleProcessPlan.For(environment.Layout);

        var objects = ObjectStores.Open(options.CheckpointUri ?? JobLocations.CheckpointUri(job, manifestFolder));
        var checkpoints = new CheckpointStore(objects, logger: log);
        var newest = await checkpoints.NewestCommittedAsync(CancellationToken.None);
        if (newest is not null && newest.StageIndex > stage.StageIndex)
        {
            throw new InvalidOperationException(
                $"{checkpoints.Location} already holds checkpoint {newest.Id} of stage '{newest.Stage}' (index {newest.StageIndex}), after the requested stage '{stage.Name}' (index {stage.StageIndex})");
        }
        if (newest is not null && newest.StageIndex == stage.StageIndex && newest.LengthIndex == stage.LengthIndex && newest.StageEnd)
        {
            log.Information("Stage {Stage} is already complete at checkpoint {CheckpointId}; nothing to do", stage.Name, newest.Id);
            return 0;
        }

        var data = await openData(job, options.DataRoot ?? manifestFolder, stage, CancellationToken.None);
        var device = ComputeDevice.Select();
        manual_seed(job.Spec.Data.Seed ?? 1234);
        using var trainer = new Trainer(new LlamaTransformer(config), stage, data.Batches, device, plan, TrainingState.Start);
        var resumed = await checkpoints.LoadNewestValidAsync((loaded, ct) => TrainerCheckpoint.RestoreAsync(trainer, loaded.OpenShardAsync, ct), CancellationToken.None);
        data.ApplyStageMix();
        log.Information(
            "Stage {Stage} (index {StageIndex}, length index {LengthIndex}) of a {Parameters:N0}-parameter model on {Device}: {From}, step {Step}, stage tokens {StageTokens} of {Budget}",
            stage.Name, stage.StageIndex, stage.LengthIndex, config.ParameterCount, device, resumed is null ? "fresh start" : $"resumed from {resumed.Id}",
            trainer.State.Step, trainer.State.StageTokens, stage.TokenBudget);

        var heartbeats = new HeartbeatStore(objects);
        var heartbeat = new HeartbeatSink(heartbeats, trainer, options.HeartbeatEverySteps, log);
        var sinks = new List<IMetricsSink> { heartbeat };
        using var jsonLines = options.MetricsDir is null ? null : new JsonLinesMetricsSink(Path.Combine(options.MetricsDir, "metrics.jsonl"));
        if (jsonLines is not null)
        {
            sinks.Add(jsonLines);
            sinks.Add(new TensorBoardMetricsSink(Path.Combine(options.MetricsDir!, "tensorboard")));
        }

        var interval = job.Spec.Checkpoint.IntervalSteps ?? 500;
        var keep = job.Spec.Checkpoint.Keep ?? 3;
        var gateEvals = await LongContextGateEvals.OpenAsync(job, options.DataRoot ?? manifestFolder, trainer, device.Device, log, CancellationToken.None);
        gateEvals?.RecordBaseline(trainer);
        var run = new TrainingRun(trainer, new StoreCheckpointWriter(checkpoints, keep, gateEvals is null ? null : gateEvals.AtStageEnd), interval, sinks, options.PeakFlopsPerSecond, log);
        var outcome = await run.RunAsync(stop);

        if (outcome == RunOutcome.Interrupted)
        {
            return InterruptedExitCode;
        }
        await heartbeats.WriteAsync(heartbeat.Create(null, TrainerState.Finished), CancellationToken.None);
        return 0;
    }
}
