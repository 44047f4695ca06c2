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
public class ParallelEvaluationTests
{
    /// <summary>
    /// The gate's evals on a model split over TP2 (vocabulary 66: 33 ids a rank), PP2, PP2 with 2 virtual stages a rank
    /// (hidden states going round the pipeline twice) and TP2 x PP2 are one process's
    /// on every rank: the held-out loss within 1e-5 relative (fp32, the vocabulary-parallel sum in another order), the
    /// greedy tokens and so every needle verdict exactly.
    /// </summary>
    [Theory]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(1, 2, 2)]
    public void A_split_model_has_the_held_out_loss_and_greedy_tokens_of_one_process(int tp, int pp, int virtualStages = 1)
    {
        var config = TinyConfigs.Gqa(vocab: 66) with { Layers = 4 };
        var batches = Enumerable.Range(0, 3).Select(_ => new SyntheticBatchSource(config.VocabSize, seed: 9).Next(4, 32)).ToList();
        int[] prompt = [.. Enumerable.Range(0, 40).Select(i => (i * 7) % 66)];
        (double Loss, long[] Greedy, bool Solves) Evaluate(LlamaTransformer model)
        {
            var (loss, _) = HeldOutLoss.Compute(model, batches, CPU);
            using var noGrad = no_grad();
            using var inputs = tensor(prompt.Select(t => (long)t).ToArray(), [1, prompt.Length]);
            using var positions = arange(prompt.Length, dtype: ScalarType.Int64).unsqueeze(0);
            using var documents = DocumentSegments.Of(zeros(1, prompt.Length, dtype: ScalarType.Int64));
            var greedy = new long[prompt.Length];
            if (model.EvaluationLogits(inputs, positions, documents) is { } logits)
            {
                using (logits)
                {
                    greedy = model.GreedyTokens(logits[0]).data<long>().ToArray();
                }
            }

            using var shared = tensor(greedy);
            model.ShareFromLastStage(shared);
            greedy = shared.data<long>().ToArray();
            // The model's own next token after the prompt is the answer it gives.
            var task = new NeedleTask(prompt, [(int)greedy[^1]], 0.5, 2, "needle", "question", "answer");
            return (loss, greedy, NeedleEvaluation.Solves(model, task, CPU));
        }

        using var single = new LlamaTransformer(config, seed: 6);
        var expected = Evaluate(single);
        var ranks = ThreadRanks.Run(new ResolvedParallelism(tp, 1, pp, 1), gang =>
        {
            using var model = LlamaTransformer.For(config, gang.Groups, seed: 6, virtualStages);
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
