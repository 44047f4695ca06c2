using LlamaOperator.Api.Resolution;
using LlamaTrainer.Data.Eval;
using LlamaTrainer.Evaluation;
using LlamaTrainer.Model;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Tests.Parallel;
using LlamaTrainer.Tests.Training;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Evaluation;

[Collection(ThreadRanksCollection.Name)]
public class TensorParallelEvaluationTests
{
    /// <summary>
    /// The gate's evals on a model split over TP2 (vocabulary 66: 33 ids a rank) are one process's: the held-out loss
    /// within 1e-5 relative (fp32, the vocabulary-parallel sum in another order), the greedy tokens and so every needle
    /// verdict exactly.
    /// </summary>
    [Fact]
    public void A_tensor_parallel_model_has_the_held_out_loss_and_greedy_tokens_of_one_process()
    {
        var config = TinyConfigs.Gqa(vocab: 66);
        var batches = Enumerable.Range(0, 3).Select(_ => new SyntheticBatchSource(config.VocabSize, seed: 9).Next(4, 32)).ToList();
        int[] prompt = [.. Enumerable.Range(0, 40).Select(i => (i * 7) % 66)];
        (double Loss, long[] Greedy, bool Solves) Evaluate(LlamaTransformer model)
        {
            var (loss, _) = HeldOutLoss.Compute(model, batches, CPU);
            using var noGrad = no_grad();
            using var inputs = tensor(prompt.Select(t => (long)t).ToArray(), [1, prompt.Length]);
            using var positions = arange(prompt.Length, dtype: ScalarType.Int64).unsqueeze(0);
            using var documents = DocumentSegments.Of(zeros(1, prompt.Length, dtype: ScalarType.Int64));
            using var logits = model.forward(inputs, positions, documents);
            var greedy = model.GreedyTokens(logits[0]).data<long>().ToArray();
            // The model's own next token after the prompt is the answer it gives.
            var task = new NeedleTask(prompt, [(int)greedy[^1]], 0.5, 2, "needle", "question", "answer");
            return (loss, greedy, NeedleEvaluation.Solves(model, task, CPU));
        }

        using var single = ThreadRanks.Seeded(6, () => new LlamaTransformer(config));
        var expected = Evaluate(single);
        var ranks = ThreadRanks.Run(new ResolvedParallelism(2, 1, 1, 1), gang =>
        {
            using var model = ThreadRanks.Seeded(6, () => new LlamaTransformer(config, gang.Groups.Tp));
            return Evaluate(model);
        });

        Assert.True(expected.Solves, "the needle built from the model's own greedy tokens must be solved");
        foreach (var rank in ranks)
        {
            Assert.Equal(expected.Loss, rank.Loss, expected.Loss * 1e-5);
            Assert.Equal(expected.Greedy, rank.Greedy);
            Assert.True(rank.Solves);
        }
    }
}
