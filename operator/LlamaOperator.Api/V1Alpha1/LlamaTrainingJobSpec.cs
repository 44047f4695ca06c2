using System.ComponentModel;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("The desired job: model, data, cluster layout, checkpoints and the stages of the recipe.")]
public sealed class LlamaTrainingJobSpec
{
    [Description("Model architecture: a preset and optional overrides.")]
    [RequiredField]
    public ModelSpec Model { get; set; } = new();

    [Description("Tokenizer used to prepare the data and to size the vocabulary.")]
    public TokenizerSpec? Tokenizer { get; set; }

    [Description("Training data sources and their default mixing weights.")]
    [RequiredField]
    public DataSpec Data { get; set; } = new();

    [Description("Where and how the trainer pods run: GPUs per node, image, NCCL and scheduling.")]
    [RequiredField]
    public ClusterSpec Cluster { get; set; } = new();

    [Description("Checkpoint storage, interval and retention.")]
    [RequiredField]
    public CheckpointSpec Checkpoint { get; set; } = new();

    [Description("The stages of the recipe, run in order (for example Pretrain, LongContext, Anneal).")]
    [RequiredField]
    [MinItems(1)]
    public List<StageSpec> Stages { get; set; } = [];

    [Description("How failures and hangs are handled.")]
    public FailurePolicySpec? FailurePolicy { get; set; }

    [Description("When true, the job checkpoints, deletes its pods and waits; setting it back to false resumes from the checkpoint.")]
    public bool? Suspend { get; set; }

    [Description("Seconds after the job finished (Succeeded or Failed) before the job is deleted, as in batch/v1 Jobs.")]
    [Minimum(0)]
    public long? TtlSecondsAfterFinished { get; set; }

    [Description("Seconds the job may be active (not suspended) before it is failed with reason DeadlineExceeded, as in batch/v1 Jobs.")]
    [Minimum(1)]
    public long? ActiveDeadlineSeconds { get; set; }
}
