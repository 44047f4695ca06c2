using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Resolution;

/// <summary>A job with every default applied: what the planner, the renderer and the trainer read.</summary>
public sealed record ResolvedJob(
    string Name,
    string Namespace,
    string Preset,
    ModelConfig Model,
    ResolvedTokenizer Tokenizer,
    ResolvedData Data,
    ResolvedCluster Cluster,
    ResolvedCheckpoint Checkpoint,
    ResolvedFailurePolicy FailurePolicy,
    IReadOnlyList<ResolvedStage> Stages,
    bool Suspend,
    long? TtlSecondsAfterFinished,
    long? ActiveDeadlineSeconds);

public sealed record ResolvedTokenizer(TokenizerKind Kind, string? Uri, int VocabSize);
