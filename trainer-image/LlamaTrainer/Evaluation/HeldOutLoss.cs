using LlamaTrainer.Data;
using LlamaTrainer.Model;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Evaluation;

/// <summary>Mean next-token loss over held-out batches (every non-ignored target weighted equally), without gradients; every rank of a split model (TP, PP) calls it alike.</summary>
public static class HeldOutLoss
{
    public static (double Loss, long Targets) Compute(LlamaTransformer model, IEnumerable<TokenBatch> batches, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        double sum = 0;
        long targets = 0;
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            using var tensors = new BatchTensors(batch, device);
            if (model.EvaluationLogits(tensors.Inputs, tensors.Positions, tensors.Documents) is { } logits)
            {
                sum += model.SummedCrossEntropy(logits, tensors.Targets).item<float>();
            }

            targets += batch.Targets.Count(t => t != TokenBatch.IgnoreIndex);
        }
        using (var shared = tensor(new[] { sum }, ScalarType.Float64, model.Pipeline.Device))
        {
            model.ShareFromLastStage(shared);
            sum = shared.item<double>();
        }

        if (targets == 0)
        {
            throw new InvalidDataException("the held-out set has no targets to evaluate");
        }
        return (sum / targets, targets);
    }
}
