using System.Diagnostics;
using LlamaTrainer.Data;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// One stage of training: each <see cref="Step"/> draws the stage's current global batch as micro-batches,
/// accumulates their gradients (each token weighted equally over the whole batch), clips the global norm and
/// takes an AdamW step at the scheduled learning rate.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly IParallelPlan _plan;
    private readonly List<Parameter> _parameters;

    public Trainer(LlamaTransformer model, StageSettings stage, IBatchSource data, ComputeDevice device, IParallelPlan plan, TrainingState state)
    {
        Model = model;
        Stage = stage;
        Data = data;
        Device = device;
        _plan = plan;
        State = state;
        _plan.Apply(model, device.Device, device.DType);
        _parameters = [.. model.parameters()];

        var named = model.named_parameters().ToList();
        bool Decays((string Name, Parameter P) p) => p.P.dim() >= 2 && !p.Name.StartsWith("tok_embeddings", StringComparison.Ordinal);
        Optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(named.Where(Decays).Select(p => p.Item2), lr: stage.Schedule.Peak, beta1: stage.Beta1, beta2: stage.Beta2, eps: stage.Eps, weight_decay: stage.WeightDecay),
                new AdamW.ParamGroup(named.Where(p => !Decays(p)).Select(p => p.Item2), lr: stage.Schedule.Peak, beta1: stage.Beta1, beta2: stage.Beta2, eps: stage.Eps, weight_decay: 0),
            ],
            lr: stage.Schedule.Peak, beta1: stage.Beta1, beta2: stage.Beta2, eps: stage.Eps);
    }

    public LlamaTransformer Model { get; }

    public StageSettings Stage { get; }

    public IBatchSource Data { get; }

    public ComputeDevice Device { get; }

    public AdamW Optimizer { get; }

    public TrainingState State { get; internal set; }

    /// <summary>True once the stage's token budget is consumed.</summary>
    public bool StageDone => State.StageTokens >= Stage.TokenBudget;

    public StepResult Step()
    {
        var clock = Stopwatch.StartNew();
        var shape = Stage.Batches.At(State.StageTokens);
        var microBatches = (int)(shape.Sequences / Stage.MicroBatchSize);
        var batches = Enumerable.Range(0, microBatches).Select(_ => Data.Next(Stage.MicroBatchSize, shape.SequenceLength)).ToList();
        // Normalise by the whole batch's target count, so accumulation equals one big batch.
        var targetCount = Math.Max(1, batches.Sum(b => b.Targets.Count(t => t != TokenBatch.IgnoreIndex)));

        var lr = Stage.Schedule.At(State.StageStep);
        foreach (var group in Optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        Model.train();
        Optimizer.zero_grad();
        double lossSum = 0;
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            using var tensors = new BatchTensors(batch, Device.Device);
            var logits = Model.forward(tensors.Inputs, tensors.Positions, tensors.DocumentIds);
            var summed = nn.functional.cross_entropy(
                logits.view(-1, logits.shape[^1]).to_type(ScalarType.Float32),
                tensors.Targets.view(-1),
                ignore_index: TokenBatch.IgnoreIndex,
                reduction: nn.Reduction.Sum);
            (summed / targetCount).backward();
            lossSum += summed.item<float>();
        }

        _plan.ReduceGradients(Model);
        var gradNorm = nn.utils.clip_grad_norm_(_parameters, Stage.GradClip);
        Optimizer.step();

        State = State with
        {
            Step = State.Step + 1,
            StageStep = State.StageStep + 1,
            Tokens = State.Tokens + shape.BatchTokens,
            StageTokens = State.StageTokens + shape.BatchTokens,
        };
        return new StepResult(State, lossSum / targetCount, lr, gradNorm, shape.BatchTokens, shape.SequenceLength, clock.Elapsed);
    }

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
