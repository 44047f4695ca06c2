using System.ComponentModel;
using System.Text.Json.Serialization;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("One stage of the recipe. Stages run in order; each may change the parallel layout.")]
public sealed class StageSpec
{
    [Description("Stage name, unique in the job (a DNS label: it becomes part of pod names).")]
    [RequiredField]
    [Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Name { get; set; } = "";

    [Description("Stage type: Pretrain (cosine LR, batch ramp), LongContext (gated steps of growing context) or Anneal (LR to 0, checkpoint averaging).")]
    [RequiredField]
    public StageType Type { get; set; }

    [Description("Tokens to train in this stage. For LongContext, the budget of each sequence length.")]
    [RequiredField]
    [Minimum(1)]
    public long Tokens { get; set; }

    [Description("Sequence length (Pretrain, Anneal). LongContext uses sequenceLengths.")]
    [Minimum(1)]
    public int? SequenceLength { get; set; }

    [Description("LongContext: the context lengths to step through, each gated on the evaluation, for example [16384, 32768, 65536, 131072].")]
    public List<int>? SequenceLengths { get; set; }

    [Description("Global batch in tokens (all data-parallel replicas together). Must be a multiple of dp * sequence length.")]
    [RequiredField]
    [Minimum(1)]
    public long BatchTokens { get; set; }

    [Description("Sequences per micro-batch on one data-parallel rank; gradient accumulation makes up the rest of the batch.")]
    [Minimum(1)]
    [DefaultValueJson("1")]
    public int? MicroBatchSize { get; set; }

    [Description("4D parallel layout of this stage.")]
    [RequiredField]
    public ParallelismSpec Parallelism { get; set; } = new();

    [Description("Activation checkpointing: None keeps every layer's activations for backward; Full keeps only each layer's input and recomputes the layer in backward (one more forward pass of compute; activations down to the layer inputs plus one layer's).")]
    [DefaultValueJson("\"None\"")]
    public ActivationCheckpointing? ActivationCheckpointing { get; set; }

    [Description("AdamW settings.")]
    public OptimizerSpec? Optimizer { get; set; }

    [Description("Learning-rate schedule; defaults by stage type (Pretrain: Cosine, LongContext: Constant, Anneal: LinearToZero).")]
    public LrScheduleSpec? Schedule { get; set; }

    [Description("Batch ramp: after a number of tokens of this stage, switch to a new batch size and sequence length.")]
    public List<BatchRampStep>? BatchRamp { get; set; }

    [Description("Data-mix override for this stage (weights by source name, summing to 1).")]
    public List<DataMixEntry>? DataMix { get; set; }

    [Description("LongContext: the gate each sequence length must pass before the next one starts.")]
    public GateSpec? Gate { get; set; }

    [Description("Anneal: how the final model is averaged from the annealing checkpoints.")]
    public AveragingSpec? Averaging { get; set; }
}

/// <summary>What backward finds saved of a layer's forward (torchtitan's activation_checkpoint.mode).</summary>
public enum ActivationCheckpointing
{
    None,
    Full,
}

public enum StageType
{
    Pretrain,
    LongContext,
    Anneal,
}

[Description("4D parallel degrees. World size = tp * cp * pp * dp; ranks are laid out in the order [TP, CP, PP, DP], TP innermost.")]
public sealed class ParallelismSpec
{
    [Description("Tensor-parallel degree (inside a node).")]
    [Minimum(1)]
    [DefaultValueJson("1")]
    public int Tp { get; set; } = 1;

    [Description("Context-parallel degree (the sequence is cut into 2*cp chunks).")]
    [Minimum(1)]
    [DefaultValueJson("1")]
    public int Cp { get; set; } = 1;

    [Description("Pipeline-parallel degree.")]
    [Minimum(1)]
    [DefaultValueJson("1")]
    public int Pp { get; set; } = 1;

    [Description("Virtual pipeline stages per pipeline rank (Megatron's interleaved 1F1B): each rank holds this many non-adjacent chunks of layers, which divides the pipeline bubble by it at the cost of more sends. 1 is plain 1F1B; above 1 needs pp > 1.")]
    [Minimum(1)]
    [DefaultValueJson("1")]
    public int VirtualStages { get; set; } = 1;

    [Description("Data-parallel degree (sharded optimizer state and gradients).")]
    [Minimum(1)]
    [DefaultValueJson("1")]
    public int Dp { get; set; } = 1;

    [Description("Expected GPU count of the stage (a cross-check, as in a paper's layout table): when given it must equal tp * cp * pp * dp.")]
    [Minimum(1)]
    public int? Gpus { get; set; }

    [JsonIgnore]
    public long WorldSize => (long)Tp * Cp * Pp * Dp;
}

[Description("AdamW optimizer settings (Llama 3: betas 0.9/0.95, weight decay 0.1, clipping 1.0).")]
public sealed class OptimizerSpec
{
    [Description("Peak learning rate; defaults to the preset's (Table 3).")]
    [Minimum(0)]
    public double? Lr { get; set; }

    [Description("AdamW beta1.")]
    [Minimum(0)]
    [Maximum(1)]
    [DefaultValueJson("0.9")]
    public double? Beta1 { get; set; }

    [Description("AdamW beta2.")]
    [Minimum(0)]
    [Maximum(1)]
    [DefaultValueJson("0.95")]
    public double? Beta2 { get; set; }

    [Description("AdamW epsilon.")]
    [Minimum(0)]
    [DefaultValueJson("1e-8")]
    public double? Eps { get; set; }

    [Description("Decoupled weight decay.")]
    [Minimum(0)]
    [DefaultValueJson("0.1")]
    public double? WeightDecay { get; set; }

    [Description("Global gradient-norm clipping threshold.")]
    [Minimum(0)]
    [DefaultValueJson("1.0")]
    public double? GradClip { get; set; }
}

[Description("Learning-rate schedule of a stage.")]
public sealed class LrScheduleSpec
{
    [Description("Cosine (linear warm-up, cosine decay to minLr), Constant, or LinearToZero (from the stage's start LR to 0 at its last step).")]
    public LrScheduleKind? Kind { get; set; }

    [Description("Linear warm-up steps from 0 to the peak LR; defaults to 1% of the stage's steps for Cosine, else 0.")]
    [Minimum(0)]
    public long? WarmupSteps { get; set; }

    [Description("Steps of the cosine decay after warm-up; defaults to the rest of the stage.")]
    [Minimum(1)]
    public long? DecaySteps { get; set; }

    [Description("Learning-rate floor of the cosine decay; defaults to peak/100 (Llama 3: 8e-5 to 8e-7).")]
    [Minimum(0)]
    public double? MinLr { get; set; }
}

public enum LrScheduleKind
{
    Cosine,
    Constant,
    LinearToZero,
}

[Description("A point of the batch ramp: once the stage has consumed afterTokens tokens, batches become batchTokens tokens of sequenceLength.")]
public sealed class BatchRampStep
{
    [Description("Tokens consumed in this stage after which the step applies.")]
    [RequiredField]
    [Minimum(0)]
    public long AfterTokens { get; set; }

    [Description("Global batch in tokens from then on.")]
    [RequiredField]
    [Minimum(1)]
    public long BatchTokens { get; set; }

    [Description("Sequence length from then on; defaults to the stage's.")]
    [Minimum(1)]
    public int? SequenceLength { get; set; }
}

[Description("The long-context gate: a sequence length is done when short-context quality has recovered and needle-in-a-haystack is solved at that length.")]
public sealed class GateSpec
{
    [Description("Context length of the short-context evaluation; defaults to the sequence length the previous stage ended with.")]
    [Minimum(1)]
    public int? ShortContextLength { get; set; }

    [Description("Recovered when the short-context eval loss is at most (1 + tolerance) times the loss before the long-context stage.")]
    [Minimum(0)]
    [DefaultValueJson("0.02")]
    public double? ShortContextTolerance { get; set; }

    [Description("Minimum needle-in-a-haystack retrieval accuracy at the current length, in [0, 1] (Llama 3: 1.0, solved perfectly).")]
    [Minimum(0)]
    [Maximum(1)]
    [DefaultValueJson("1.0")]
    public double? NeedleAccuracy { get; set; }

    [Description("Needle positions (depths) tested per length.")]
    [Minimum(1)]
    [DefaultValueJson("5")]
    public int? NeedleDepths { get; set; }

    [Description("What happens when a length has used its token budget without passing: Fail the job, or Continue to the next length with a warning condition.")]
    [DefaultValueJson("\"Fail\"")]
    public GateFailureAction? OnFailure { get; set; }
}

public enum GateFailureAction
{
    Fail,
    Continue,
}

[Description("Polyak averaging of annealing checkpoints into the final model.")]
public sealed class AveragingSpec
{
    [Description("Number of the stage's last committed checkpoints to average.")]
    [Minimum(1)]
    [DefaultValueJson("3")]
    public int? Checkpoints { get; set; }
}
