using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Data.Eval;
using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Data.Tokenization;
using LlamaTrainer.Job;
using LlamaTrainer.Model;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Checkpoints;
using Serilog;
using static TorchSharp.torch;

namespace LlamaTrainer.Evaluation;

/// <summary>
/// The evals the LongContext gate reads, taken on a model: held-out loss at a short context and needle accuracy per
/// length. One copy for `llama-train eval` and for the trainer's stage end.
/// </summary>
public sealed class CheckpointEvaluator(HeldOutSet heldOut, TextTokenizer tokenizer, Device device, int maxBatches, ILogger log)
{
    /// <summary>Held-out sequences per batch.</summary>
    public const int BatchSequences = 8;

    public const int DefaultMaxBatches = 16;

    /// <summary>Loads the job's held-out set (spec.data.evalUri, else the first source, prepared from prepareFrom if need be) and its tokenizer.</summary>
    public static async Task<CheckpointEvaluator> OpenAsync(LlamaTrainingJob job, string dataRoot, Device device, int maxBatches, ILogger log, CancellationToken cancellationToken)
    {
        await JobDataPreparation.EnsurePreparedAsync(job, dataRoot, log, cancellationToken);
        var evalUri = JobResolver.Resolve(job).Data.EvalUri;
        var heldOut = await HeldOutSet.LoadAsync(ObjectStores.Open(JobLocations.DataUri(evalUri, dataRoot)), cancellationToken);
        return new CheckpointEvaluator(heldOut, JobTokenizer.Load(job, dataRoot), device, maxBatches, log);
    }

    public double ShortContextLoss(LlamaTransformer model, int shortContext)
    {
        var (loss, targets) = HeldOutLoss.Compute(model, heldOut.Batches(BatchSequences, shortContext).Take(maxBatches), device);
        log.Information("Held-out loss {Loss:F4} over {Targets} targets of {Source} at length {Length}", loss, targets, heldOut.Source, shortContext);
        return loss;
    }

    /// <param name="baseline">the short-context loss before the LongContext stage began, when known</param>
    public CheckpointEvals Evaluate(LlamaTransformer model, int shortContext, IReadOnlyList<int> needleLengths, int depths, double? baseline)
    {
        var loss = ShortContextLoss(model, shortContext);
        var needles = needleLengths
            .Select(length => new NeedleResult(length, NeedleEvaluation.Accuracy(model, (l, depth, seed) => NeedleInHaystack.Build(tokenizer, l, depth, seed), length, depths, device), depths))
            .ToList();
        return new CheckpointEvals { ShortContextLoss = loss, ShortContextLength = shortContext, BaselineShortContextLoss = baseline, Needle = needles };
    }
}
