using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Resolution;

/// <summary>
/// A stage with every default applied. SequenceLengths has one entry for Pretrain and Anneal and the
/// gated lengths for LongContext (Tokens is then the budget of each length). Steps counts optimizer
/// steps over the whole stage, batch ramp included.
/// </summary>
public sealed record ResolvedStage(
    int Index,
    string Name,
    StageType Type,
    long Tokens,
    IReadOnlyList<int> SequenceLengths,
    long BatchTokens,
    int MicroBatchSize,
    ResolvedParallelism Parallelism,
    ActivationCheckpointing ActivationCheckpointing,
    int Nodes,
    long Steps,
    ResolvedOptimizer Optimizer,
    ResolvedSchedule Schedule,
    IReadOnlyList<ResolvedBatchRampStep> BatchRamp,
    IReadOnlyList<ResolvedDataSource> DataMix,
    ResolvedGate? Gate,
    ResolvedAveraging? Averaging)
{
    public int SequenceLength => SequenceLengths[0];
}

/// <summary>4D degrees; ranks are laid out [TP, CP, PP, DP], TP innermost.</summary>
public sealed record ResolvedParallelism(int Tp, int Cp, int Pp, int Dp)
{
    /// <summary>Chunks of layers each pipeline rank holds (interleaved 1F1B when above 1); the rank layout does not depend on it.</summary>
    public int VirtualStages { get; init; } = 1;

    /// <summary>Pipeline stages the layers are split into: pp x virtualStages, rank r holding stages r, r + pp, ...</summary>
    public int PipelineStages => Pp * VirtualStages;

    public long WorldSize => (long)Tp * Cp * Pp * Dp;
}

public sealed record ResolvedOptimizer(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay, double GradClip);

/// <summary>LR schedule: Lr is the peak; DecaySteps counts the steps after warm-up.</summary>
public sealed record ResolvedSchedule(LrScheduleKind Kind, long WarmupSteps, long DecaySteps, double MinLr);

public sealed record ResolvedBatchRampStep(long AfterTokens, long BatchTokens, int SequenceLength);

public sealed record ResolvedGate(int ShortContextLength, double ShortContextTolerance, double NeedleAccuracy, int NeedleDepths, GateFailureAction OnFailure);

public sealed record ResolvedAveraging(int Checkpoints);
