using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Resolution;

/// <summary>
/// The defaults the resolver applies. The [DefaultValueJson] markers on the API types say the same
/// (the CRD publishes them); a test keeps the two in agreement.
/// </summary>
public static class JobDefaults
{
    public const string Namespace = "default";
    public const int GpusPerNode = 8;
    public const double GpuMemoryGiB = 80;
    public const string ShmSize = "64Gi";
    public const int MasterPort = 29500;
    public const GangScheduler Gang = GangScheduler.Coscheduling;
    public const string ModelPreset = "llama3-8b";
    public const TokenizerKind Tokenizer = TokenizerKind.Cl100kBase;
    public const long DataSeed = 1234;
    public const int HeldOutDocuments = 0;
    public const int CheckpointIntervalSteps = 500;
    public const int CheckpointKeep = 3;
    public const string SecretKey = "connectionString";
    public const int MaxRestarts = 10;
    public const int BackoffSeconds = 10;
    public const int MaxBackoffSeconds = 600;
    public const int HangTimeoutSeconds = 1800;
    public const int CollectiveTimeoutSeconds = 600;
    public static readonly IReadOnlyList<int> FatalExitCodes = [TrainerExitCodes.InvalidInput];
    public const int MicroBatchSize = 1;
    public const ActivationCheckpointing StageActivationCheckpointing = ActivationCheckpointing.None;
    public const int ParallelDegree = 1;
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.95;
    public const double Eps = 1e-8;
    public const double WeightDecay = 0.1;
    public const double GradClip = 1.0;

    /// <summary>minLr = peak / 100 (Llama 3: 8e-5 decays to 8e-7).</summary>
    public const double MinLrDivisor = 100;

    /// <summary>Cosine warm-up: this fraction of the stage's steps (Llama 3: 8,000 of 1.2M steps).</summary>
    public const double WarmupFraction = 0.01;

    public const double GateShortContextTolerance = 0.02;
    public const double GateNeedleAccuracy = 1.0;
    public const int GateNeedleDepths = 5;
    public const GateFailureAction GateOnFailure = GateFailureAction.Fail;
    public const int AveragingCheckpoints = 3;

    public static LrScheduleKind ScheduleKind(StageType type) => type switch
    {
        StageType.Pretrain => LrScheduleKind.Cosine,
        StageType.LongContext => LrScheduleKind.Constant,
        StageType.Anneal => LrScheduleKind.LinearToZero,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown stage type"),
    };

    /// <summary>schedulerName of the trainer pods when the job does not set one.</summary>
    public static string? SchedulerName(GangScheduler gang) => gang switch
    {
        GangScheduler.Coscheduling => "scheduler-plugins-scheduler",
        GangScheduler.Volcano => "volcano",
        _ => null,
    };

    /// <summary>Token count of the tokenizer's vocabulary: the model's vocabulary must hold at least this many.</summary>
    public static int TokenizerVocabSize(TokenizerKind kind) => kind switch
    {
        TokenizerKind.Cl100kBase => ModelPresets.Cl100kVocabSize,
        TokenizerKind.Llama3 => ModelPresets.Llama3VocabSize,
        TokenizerKind.Bytes => ModelPresets.BytesVocabSize,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown tokenizer kind"),
    };
}
