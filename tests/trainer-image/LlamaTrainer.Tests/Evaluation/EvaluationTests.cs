using LlamaTrainer.Data.Eval;
using LlamaTrainer.Evaluation;
using LlamaTrainer.Model;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Tests.Training;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Evaluation;

public class EvaluationTests
{
    [Fact]
    public void Held_out_loss_equals_the_training_loss_of_the_same_batch_before_the_update()
    {
        var config = TinyConfigs.Gqa();
        using var trainer = TrainerFactory.Create(config, TrainerFactory.Stage(batchTokens: 64, microBatch: 4), new SyntheticBatchSource(config.VocabSize));
        var batch = new SyntheticBatchSource(config.VocabSize).Next(4, 16);

        var (loss, targets) = HeldOutLoss.Compute(trainer.Model, [batch], CPU);
        var step = trainer.Step();

        Assert.Equal(step.Loss, loss, 5);
        Assert.Equal(batch.Targets.Count(t => t >= 0), targets);
    }

    [Fact]
    public void A_needle_counts_as_solved_exactly_when_the_greedy_predictions_at_the_answer_positions_are_the_answer()
    {
        manual_seed(8);
        var config = TinyConfigs.Gqa();
        using var model = new LlamaTransformer(config);
        int[] prompt = [1, 5, 9, 13, 17, 21, 25, 29];
        // What the model predicts after the prompt, fed back: that is the answer a solving model gives.
        var first = Predict(model, prompt);
        var second = Predict(model, [.. prompt, first]);
        NeedleTask Task(int[] answer) => new(prompt, answer, 0.5, 2, "needle", "question", "answer");

        Assert.True(NeedleEvaluation.Solves(model, Task([first, second]), CPU));
        Assert.False(NeedleEvaluation.Solves(model, Task([first, (second + 1) % config.VocabSize]), CPU));
        Assert.False(NeedleEvaluation.Solves(model, Task([(first + 1) % config.VocabSize, second]), CPU));
    }

    private static int Predict(LlamaTransformer model, int[] tokens)
    {
        using var noGrad = no_grad();
        using var inputs = tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Length]);
        using var positions = arange(tokens.Length, dtype: ScalarType.Int64).unsqueeze(0);
        using var docs = DocumentSegments.Of(zeros(1, tokens.Length, dtype: ScalarType.Int64));
        using var logits = model.forward(inputs, positions, docs);
        return (int)logits[0, -1].argmax().item<long>();
    }
}
