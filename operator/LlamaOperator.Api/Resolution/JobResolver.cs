using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Api.Resolution;

/// <summary>Turns a LlamaTrainingJob into its fully defaulted view. Pure; the same for operator and trainer.</summary>
public static class JobResolver
{
    /// <summary>Validates the job, then resolves it.</summary>
    /// <exception cref="InvalidJobException">The job has validation errors (all of them are listed).</exception>
    public static ResolvedJob Resolve(LlamaTrainingJob job)
    {
        var errors = JobValidator.BuiltInProblems(job).Where(p => p.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidJobException(job.Metadata?.Name, errors);
        }

        return ResolveValid(job);
    }

    /// <summary>Resolves a job that passed the built-in validation rules.</summary>
    internal static ResolvedJob ResolveValid(LlamaTrainingJob job)
    {
        var spec = job.Spec;
        var name = job.Metadata.Name!;
        var ns = string.IsNullOrEmpty(job.Metadata.NamespaceProperty) ? JobDefaults.Namespace : job.Metadata.NamespaceProperty;
        var model = JobModel.Resolve(spec)!;
        var tokenizerKind = spec.Tokenizer?.Kind ?? JobDefaults.Tokenizer;
        var data = ResolveData(spec.Data);
        var cluster = ResolveCluster(spec.Cluster);

        var stages = new List<ResolvedStage>(spec.Stages.Count);
        for (var i = 0; i < spec.Stages.Count; i++)
        {
            stages.Add(ResolveStage(spec.Stages[i], i, stages.LastOrDefault(), model, data, cluster.GpusPerNode));
        }

        return new ResolvedJob(
            name,
            ns,
            spec.Model.Preset,
            model,
            new ResolvedTokenizer(tokenizerKind, spec.Tokenizer?.Uri, JobDefaults.TokenizerVocabSize(tokenizerKind)),
            data,
            cluster,
            ResolveCheckpoint(spec.Checkpoint, ns, name),
            ResolveFailurePolicy(spec.FailurePolicy),
            stages,
            spec.Suspend ?? false,
            spec.TtlSecondsAfterFinished,
            spec.ActiveDeadlineSeconds);
    }

    private static ResolvedData ResolveData(DataSpec data)
    {
        var sources = data.Sources.Select(s => new ResolvedDataSource(s.Name, s.Uri, s.Weight, s.PrepareFrom)).ToList();
        return new ResolvedData(sources, data.Seed ?? JobDefaults.DataSeed, data.EvalUri ?? sources[0].Uri, data.HeldOutDocuments ?? JobDefaults.HeldOutDocuments);
    }

    private static ResolvedCluster ResolveCluster(ClusterSpec cluster)
    {
        var scheduling = cluster.Scheduling ?? new SchedulingSpec();
        var nccl = cluster.Nccl ?? new NcclSpec();
        return new ResolvedCluster(
            cluster.GpusPerNode,
            cluster.GpuMemoryGiB ?? JobDefaults.GpuMemoryGiB,
            cluster.PeakTflopsPerGpu,
            cluster.Image,
            cluster.ImagePullPolicy,
            cluster.ImagePullSecrets ?? [],
            cluster.Resources,
            cluster.ShmSize ?? JobDefaults.ShmSize,
            cluster.MasterPort ?? JobDefaults.MasterPort,
            new ResolvedNccl(nccl.SocketInterface, nccl.IbHca, nccl.Debug, nccl.ExtraEnv ?? []),
            new ResolvedScheduling(
                scheduling.Gang,
                scheduling.SchedulerName ?? JobDefaults.SchedulerName(scheduling.Gang),
                scheduling.PriorityClassName,
                scheduling.Queue,
                scheduling.TopologyKey,
                scheduling.ScheduleTimeoutSeconds,
                scheduling.NodeSelector ?? [],
                scheduling.Tolerations ?? []),
            cluster.Env ?? []);
    }

    private static ResolvedCheckpoint ResolveCheckpoint(CheckpointSpec checkpoint, string ns, string name)
    {
        var blob = checkpoint.Storage.AzureBlob;
        return new ResolvedCheckpoint(
            checkpoint.IntervalSteps ?? JobDefaults.CheckpointIntervalSteps,
            checkpoint.Keep ?? JobDefaults.CheckpointKeep,
            blob is null
                ? null
                : new ResolvedAzureBlob(
                    blob.AccountUrl,
                    blob.Container,
                    blob.Prefix ?? $"{ns}/{name}",
                    blob.SecretRef?.Name,
                    blob.SecretRef is null ? null : blob.SecretRef.Key ?? JobDefaults.SecretKey),
            checkpoint.Storage.Local?.Path);
    }

    private static ResolvedFailurePolicy ResolveFailurePolicy(FailurePolicySpec? policy) => new(
        policy?.MaxRestarts ?? JobDefaults.MaxRestarts,
        policy?.BackoffSeconds ?? JobDefaults.BackoffSeconds,
        policy?.MaxBackoffSeconds ?? JobDefaults.MaxBackoffSeconds,
        policy?.HangTimeoutSeconds ?? JobDefaults.HangTimeoutSeconds,
        policy?.CollectiveTimeoutSeconds ?? JobDefaults.CollectiveTimeoutSeconds,
        policy?.RetryableExitCodes,
        policy?.FatalExitCodes ?? JobDefaults.FatalExitCodes);

    private static ResolvedStage ResolveStage(StageSpec stage, int index, ResolvedStage? previous, ModelConfig model, ResolvedData data, int gpusPerNode)
    {
        List<int> lengths = stage.Type == StageType.LongContext ? [.. stage.SequenceLengths!] : [stage.SequenceLength!.Value];
        var parallelism = new ResolvedParallelism(stage.Parallelism.Tp, stage.Parallelism.Cp, stage.Parallelism.Pp, stage.Parallelism.Dp) { VirtualStages = stage.Parallelism.VirtualStages };
        var ramp = (stage.BatchRamp ?? [])
            .Select(r => new ResolvedBatchRampStep(r.AfterTokens, r.BatchTokens, r.SequenceLength ?? lengths[0]))
            .ToList();
        var steps = stage.Type == StageType.LongContext
            ? CeilDiv(stage.Tokens, stage.BatchTokens) * lengths.Count
            : StepsWithRamp(stage.Tokens, stage.BatchTokens, ramp);

        var optimizer = stage.Optimizer ?? new OptimizerSpec();
        var peakLr = optimizer.Lr ?? model.PeakLr;
        var schedule = stage.Schedule ?? new LrScheduleSpec();
        var kind = schedule.Kind ?? JobDefaults.ScheduleKind(stage.Type);
        var warmup = schedule.WarmupSteps ?? (kind == LrScheduleKind.Cosine ? Math.Max(1, (long)(steps * JobDefaults.WarmupFraction)) : 0);

        var mix = stage.DataMix is null
            ? data.Sources
            : stage.DataMix.Select(m => data.Sources.First(s => s.Name == m.Name) with { Weight = m.Weight }).ToList();

        ResolvedGate? gate = null;
        if (stage.Type == StageType.LongContext)
        {
            var g = stage.Gate ?? new GateSpec();
            gate = new ResolvedGate(
                g.ShortContextLength ?? LastSequenceLength(previous) ?? lengths[0],
                g.ShortContextTolerance ?? JobDefaults.GateShortContextTolerance,
                g.NeedleAccuracy ?? JobDefaults.GateNeedleAccuracy,
                g.NeedleDepths ?? JobDefaults.GateNeedleDepths,
                g.OnFailure ?? JobDefaults.GateOnFailure);
        }

        var averaging = stage.Type == StageType.Anneal
            ? new ResolvedAveraging(stage.Averaging?.Checkpoints ?? JobDefaults.AveragingCheckpoints)
            : null;

        return new ResolvedStage(
            index,
            stage.Name,
            stage.Type,
            stage.Tokens,
            lengths,
            stage.BatchTokens,
            stage.MicroBatchSize ?? JobDefaults.MicroBatchSize,
            parallelism,
            stage.ActivationCheckpointing ?? JobDefaults.StageActivationCheckpointing,
            (int)CeilDiv(parallelism.WorldSize, gpusPerNode),
            steps,
            new ResolvedOptimizer(
                peakLr,
                optimizer.Beta1 ?? JobDefaults.Beta1,
                optimizer.Beta2 ?? JobDefaults.Beta2,
                optimizer.Eps ?? JobDefaults.Eps,
                optimizer.WeightDecay ?? JobDefaults.WeightDecay,
                optimizer.GradClip ?? JobDefaults.GradClip),
            new ResolvedSchedule(kind, warmup, schedule.DecaySteps ?? Math.Max(1, steps - warmup), schedule.MinLr ?? peakLr / JobDefaults.MinLrDivisor),
            ramp,
            mix,
            gate,
            averaging);
    }

    /// <summary>The sequence length a stage ends with (after its batch ramp), for the gate's short-context default.</summary>
    private static int? LastSequenceLength(ResolvedStage? stage) =>
        stage is null ? null : stage.BatchRamp.Count > 0 ? stage.BatchRamp[^1].SequenceLength : stage.SequenceLengths[^1];

    /// <summary>Whole batches: a ramp step takes effect at the first step boundary at or after its afterTokens.</summary>
    public static long StepsWithRamp(long tokens, long batchTokens, IReadOnlyList<ResolvedBatchRampStep> ramp)
    {
        long consumed = 0, steps = 0;
        var batch = batchTokens;
        foreach (var step in ramp)
        {
            var boundary = Math.Min(step.AfterTokens, tokens);
            if (boundary > consumed)
            {
                var n = CeilDiv(boundary - consumed, batch);
                steps += n;
                consumed += n * batch;
            }

            batch = step.BatchTokens;
        }

        return tokens > consumed ? steps + CeilDiv(tokens - consumed, batch) : steps;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
