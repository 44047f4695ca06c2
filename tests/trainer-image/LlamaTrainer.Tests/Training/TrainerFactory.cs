using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Training;

/// <summary>Builds small trainers the way the CLI does (seed, then model, then trainer), for loop tests.</summary>
internal static class TrainerFactory
{
    public static StageSettings Stage(long budget = 64 * 40, long batchTokens = 64, int microBatch = 1, int sequenceLength = 16, double lr = 3e-3,
        ActivationCheckpointing checkpointing = ActivationCheckpointing.None, int virtualStages = 1) =>
        new(
            Name: "pretrain",
            StageIndex: 0,
            LengthIndex: null,
            TokenBudget: budget,
            Batches: new BatchRamp(new BatchShape(batchTokens, sequenceLength), []),
            MicroBatchSize: microBatch,
            Schedule: new LearningRateSchedule(LrScheduleKind.Cosine, lr, WarmupSteps: 2, DecaySteps: budget / batchTokens, MinLr: lr / 10),
            Beta1: 0.9,
            Beta2: 0.95,
            Eps: 1e-8,
            WeightDecay: 0.1,
            GradClip: 1.0,
            ActivationCheckpointing: checkpointing,
            VirtualStages: virtualStages);

    /// <param name="groups">the rank's groups (a gang's); one process when null</param>
    public static Trainer Create(ModelConfig config, StageSettings stage, SyntheticBatchSource data, long seed = 11, ProcessGroups? groups = null)
    {
        groups ??= ProcessGroups.Single();
        var model = LlamaTransformer.For(config, groups, seed, stage.VirtualStages);
        return new Trainer(model, stage, data, ComputeDevice.Cpu, groups, TrainingState.Start);
    }
}
