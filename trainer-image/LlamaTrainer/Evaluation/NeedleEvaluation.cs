using LlamaTrainer.Data.Eval;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Evaluation;

/// <summary>
/// Needle-in-a-haystack under teacher forcing: the model reads prompt + answer as one document and must predict
/// every answer token (greedy argmax) at the position before it.
/// </summary>
public static class NeedleEvaluation
{
    public static bool Solves(LlamaTransformer model, NeedleTask task, Device device)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var tokens = task.PromptTokens.Concat(task.AnswerTokens[..^1]).Select(t => (long)t).ToArray();
        var length = tokens.Length;
        var inputs = tensor(tokens, [1, length], device: device);
        var positions = arange(length, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        using var documents = DocumentSegments.Of(zeros(1, length, dtype: ScalarType.Int64, device: device));
        var answered = length - task.PromptTokens.Length + 1;
        var greedy = model.EvaluationLogits(inputs, positions, documents) is { } logits
            ? model.GreedyTokens(logits[0, (task.PromptTokens.Length - 1)..]).to(model.Pipeline.Device).contiguous()
            : zeros(answered, ScalarType.Int64, model.Pipeline.Device);
        model.ShareFromLastStage(greedy);
        var predicted = greedy.cpu().data<long>().Select(t => (int)t).ToArray();
        return task.IsAnsweredBy(predicted);
    }

    /// <summary>Fraction of probes solved at one context length, over evenly spaced depths 0..1.</summary>
    public static double Accuracy(LlamaTransformer model, Func<int, double, int, NeedleTask> build, int contextLength, int depths, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depths, 1);
        var solved = Enumerable.Range(0, depths)
            .Count(i => Solves(model, build(contextLength, depths == 1 ? 1.0 : (double)i / (depths - 1), i), device));
        return (double)solved / depths;
    }
}
