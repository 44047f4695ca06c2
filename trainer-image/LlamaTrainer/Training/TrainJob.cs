using LlamaOperator.Api;
using LlamaOperator.Api.Resolution;
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
/// One stage of a job on this rank: resolve the stage, join the gang, resume from the newest valid checkpoint (of this
/// stage, or the previous stage's end, whatever layout wrote it), train to the token budget with checkpoints, metrics
/// and heartbeats. Every rank runs this; only global rank 0 reports progress and writes heartbeats and manifests.
/// </summary>
public static class TrainJob
{
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
        var resolved = JobResolver.Resolve(job);
        var stage = StageSettings.Resolve(resolved, options.Stage, options.LengthIndex);
        CheckLayout(resolved, stage, environment);
        var reports = environment.Rank == 0;

        var objects = ObjectStores.Open(options.CheckpointUri ?? JobLocations.CheckpointUri(job, manifestFolder));
        var checkpoints = new CheckpointStore(objects, logger: log);
        var newest = await checkpoints.NewestCommittedAsync(CancellationToken.None);
        if (newest is not null && newest.StageIndex > stage.StageIndex)
        {
            // Deterministic: a retry would find the same checkpoint, so this is invalid input (the fatal exit code).
            throw new InvalidDataException(
                $"{checkpoints.Location} already holds checkpoint {newest.Id} of stage '{newest.Stage}' (index {newest.StageIndex}), after the requested stage '{stage.Name}' (index {stage.StageIndex}); run that stage or a later one, or point the job at other storage");
        }
        if (newest is not null && newest.StageIndex == stage.StageIndex && newest.LengthIndex == stage.LengthIndex && newest.StageEnd)
        {
            log.Information("Stage {Stage} is already complete at checkpoint {CheckpointId}; nothing to do", stage.Name, newest.Id);
            return 0;
        }

        var device = ComputeDevice.Select(environment.LocalRank);
        var timeout = TimeSpan.FromSeconds(environment.CollectiveTimeoutSeconds ?? resolved.FailurePolicy.CollectiveTimeoutSeconds);
        using var gang = GangConnection.Join(environment, device, timeout, log);
        var groups = gang.Groups;
        // Rank 0 prepares the raw sources (prepareFrom) if need be; the others open the prepared shards after it.
        if (!reports)
        {
            groups.World.Barrier();
        }

        var data = await openData(job, options.DataRoot ?? manifestFolder, stage, CancellationToken.None);
        if (reports)
        {
            groups.World.Barrier();
        }
        // Every rank builds the same initial weights from the job's seed (the checkpoint, if any, replaces them).
        var seed = resolved.Data.Seed;
        manual_seed(seed);
        using var trainer = new Trainer(LlamaTransformer.For(config, groups, seed, stage.VirtualStages), stage, data.Batches, device, groups, TrainingState.Start);
        var sharded = new TrainerCheckpoint(checkpoints, groups.World, log);
        var resumed = await sharded.RestoreNewestAsync(trainer, CancellationToken.None);
        data.ApplyStageMix();
        log.Information(
            "Stage {Stage} (index {StageIndex}, length index {LengthIndex}) of a {Parameters:N0}-parameter model on {Device}: {From}, step {Step}, stage tokens {StageTokens} of {Budget}",
            stage.Name, stage.StageIndex, stage.LengthIndex, config.ParameterCount, device, resumed is null ? "fresh start" : $"resumed from {resumed.Id}",
            trainer.State.Step, trainer.State.StageTokens, stage.TokenBudget);

        var heartbeats = new HeartbeatStore(objects);
        var heartbeat = new HeartbeatSink(heartbeats, trainer, options.HeartbeatEverySteps, log);
        var sinks = new List<IMetricsSink>();
        if (reports)
        {
            sinks.Add(heartbeat);
        }

        using var jsonLines = options.MetricsDir is null || !reports ? null : new JsonLinesMetricsSink(Path.Combine(options.MetricsDir, "metrics.jsonl"));
        if (jsonLines is not null)
        {
            sinks.Add(jsonLines);
            sinks.Add(new TensorBoardMetricsSink(Path.Combine(options.MetricsDir!, "tensorboard")));
        }

        var interval = resolved.Checkpoint.IntervalSteps;
        var keep = resolved.Checkpoint.Keep;
        // Gate evals run on one replica (the ranks of DP rank 0: rank 0 alone without TP, CP or PP), whose ranks
        // evaluate the split model together; the others wait at the checkpoint's next collective. Rank 0's state and
        // manifest are the ones saved, and on a shared CPU every redundant evaluation would slow the one that counts.
        var gateEvals = groups.Dp.Rank == 0
            ? await LongContextGateEvals.OpenAsync(job, options.DataRoot ?? manifestFolder, trainer, device.Device, reports ? log : Serilog.Core.Logger.None, CancellationToken.None)
            : null;
        gateEvals?.RecordBaseline(trainer);
        var writer = new StoreCheckpointWriter(sharded, keep, gateEvals is null ? null : gateEvals.AtStageEnd);
        var run = new TrainingRun(trainer, writer, interval, sinks, options.PeakFlopsPerSecond, groups.World, reports || options.LogEveryRank ? log : Serilog.Core.Logger.None);
        var outcome = await run.RunAsync(stop);

        if (outcome == RunOutcome.Interrupted)
        {
            return TrainerExitCodes.Interrupted;
        }

        if (reports)
        {
            await heartbeats.WriteAsync(heartbeat.Create(null, TrainerState.Finished), CancellationToken.None);
        }

        // Rank 0 serves the store: nobody leaves before everyone is done with it.
        groups.World.Barrier();
        return 0;
    }

    /// <summary>The processes' degrees (LLAMA_TP.. from the operator or the launcher) must be the stage's.</summary>
    private static void CheckLayout(ResolvedJob job, StageSettings stage, DistributedEnvironment environment)
    {
        var wanted = job.Stages[stage.StageIndex].Parallelism;
        // The processes' layout does not depend on the virtual stages, which the trainer reads from the job.
        var have = new ResolvedParallelism(environment.Tp, environment.Cp, environment.Pp, environment.Dp) { VirtualStages = wanted.VirtualStages };
        if (wanted != have)
        {
            throw new ArgumentException(
                $"spec.stages[{stage.StageIndex}].parallelism resolves to tp={wanted.Tp} cp={wanted.Cp} pp={wanted.Pp} dp={wanted.Dp}, but this process runs in tp={have.Tp} cp={have.Cp} pp={have.Pp} dp={have.Dp} (LLAMA_TP/LLAMA_CP/LLAMA_PP/LLAMA_DP)");
        }
    }
}
