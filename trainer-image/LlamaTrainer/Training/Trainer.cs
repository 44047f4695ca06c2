using System.Diagnostics;
using LlamaTrainer.Collectives;
using LlamaTrainer.Data;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// One stage of training on one rank: each <see cref="Step"/> walks the stage's current global batch as micro-batches,
/// trains on this rank's data-parallel share of them and skips the others' (so every rank keeps the one global data
/// cursor; the ranks of a tensor-parallel group and of a pipeline train the same micro-batches on their part of the
/// model, the pipeline in <see cref="PipelineSchedule"/>'s 1F1B order, and context-parallel ranks their chunks of the
/// same rows), weights each token equally over the whole global batch, and takes a ZeRO AdamW step (global norm
/// clipping over the whole model, scheduled learning rate). With groups of one this is plain single-process training.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly PipelineSchedule _schedule;

    /// <param name="model">this rank's part of the model (<see cref="LlamaTransformer.For"/>)</param>
    public Trainer(LlamaTransformer model, StageSettings stage, IBatchSource data, ComputeDevice device, ProcessGroups groups, TrainingState state)
    {
        Model = model;
        Stage = stage;
        Data = data;
        Device = device;
        Groups = groups;
        State = state;
        model.to(device.Device, device.DType);
        model.ActivationCheckpointing = stage.ActivationCheckpointing;

        // Backward order (the output head's gradient is ready first), so buckets fill as backward proceeds.
        var parameters = model.TrainableParameters().Reverse().ToList();
        Optimizer = new ZeroAdamW(parameters, new AdamWSettings(stage.Beta1, stage.Beta2, stage.Eps, stage.WeightDecay), groups.Dp, model: groups.World, replicas: groups.Cp);
        _schedule = new PipelineSchedule(model, groups.Pp, device, Optimizer, groups.Cp.Size > 1 ? new ContextParallelChunks(groups.Cp) : null);
    }

    public LlamaTransformer Model { get; }

    public StageSettings Stage { get; }

    public IBatchSource Data { get; }

    public ComputeDevice Device { get; }

    public ZeroAdamW Optimizer { get; }

    /// <summary>This rank's groups: the batch is split over Dp, the rows over Cp, the model over Tp and Pp.</summary>
    public ProcessGroups Groups { get; }

    private ICommunicator DataParallel => Groups.Dp;

    public TrainingState State { get; internal set; }

    /// <summary>Time this rank has spent exchanging hidden states with its pipeline neighbours (zero without a pipeline).</summary>
    public TimeSpan PipelineExchanging => _schedule.Exchanging;

    /// <summary>True once the stage's token budget is consumed.</summary>
    public bool StageDone => State.StageTokens >= Stage.TokenBudget;

    public StepResult Step()
    {
        var clock = Stopwatch.StartNew();
        var shape = Stage.Batches.At(State.StageTokens);
        var microBatches = (int)(shape.Sequences / Stage.MicroBatchSize);
        if (microBatches % DataParallel.Size != 0)
        {
            throw new InvalidOperationException(
                $"stage {Stage.Name}: a batch of {microBatches} micro-batches of {Stage.MicroBatchSize} sequences does not divide over {DataParallel.Size} data-parallel ranks");
        }

        var perRank = microBatches / DataParallel.Size;
        var first = DataParallel.Rank * perRank;
        var mine = new List<TokenBatch>(perRank);
        long targetCount = 0;
        for (var i = 0; i < microBatches; i++)
        {
            if (i >= first && i < first + perRank)
            {
                var batch = Data.Next(Stage.MicroBatchSize, shape.SequenceLength);
                mine.Add(batch);
                targetCount += batch.Targets.Count(t => t != TokenBatch.IgnoreIndex);
            }
            else
            {
                targetCount += Data.Skip(Stage.MicroBatchSize, shape.SequenceLength);
            }
        }

        // Normalise by the whole global batch's target count, so accumulation over micro-batches and ranks equals one big batch.
        targetCount = Math.Max(1, targetCount);
        var lr = Stage.Schedule.At(State.StageStep);
        Model.train();
        Optimizer.ZeroGradients();
        var lossSum = _schedule.Run(mine, targetCount);
        var gradNorm = Optimizer.Step(lr, Stage.GradClip);
        lossSum = LossOverRanks(lossSum);

        State = State with
        {
            Step = State.Step + 1,
            StageStep = State.StageStep + 1,
            Tokens = State.Tokens + shape.BatchTokens,
            StageTokens = State.StageTokens + shape.BatchTokens,
        };
        return new StepResult(State, lossSum / targetCount, lr, gradNorm, shape.BatchTokens, shape.SequenceLength, clock.Elapsed);
    }

    /// <summary>The batch's summed loss: the last pipeline stage's (the others hold 0), summed over the CP ranks' chunks and the DP replicas.</summary>
    private double LossOverRanks(double value)
    {
        foreach (var group in new[] { Groups.Cp, Groups.Pp, Groups.Dp }.Where(g => g.Size > 1))
        {
            using var sum = tensor(new[] { value }, ScalarType.Float64, group.Device);
            group.AllReduce(sum);
            value = sum.item<double>();
        }

        return value;
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
