using LlamaTrainer.Tests.Model;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Training;

public class TrainerTests
{
    [Fact]
    public async Task A_run_stopped_checkpointed_and_resumed_in_a_new_trainer_ends_bitwise_equal_to_a_straight_run()
    {
        var config = TinyConfigs.Gqa();
        var stage = TrainerFactory.Stage();

        using var straight = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize));
        for (int i = 0; i < 6; i++)
        {
            straight.Step();
        }

        using var checkpoints = new FolderCheckpoints();
        using (var first = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize)))
        {
            for (int i = 0; i < 3; i++)
            {
                first.Step();
            }
            await checkpoints.Writer.SaveAsync(first, stageEnd: false, null, CancellationToken.None);
        }
        // A different seed and a fresh source: everything that matters must come from the checkpoint.
        using var resumed = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize), seed: 999);
        await checkpoints.Checkpoint.RestoreNewestAsync(resumed, CancellationToken.None);
        Assert.Equal(3, resumed.State.Step);
        for (int i = 0; i < 3; i++)
        {
            resumed.Step();
        }

        Assert.Equal(straight.State, resumed.State);
        var expected = straight.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in resumed.Model.named_parameters())
        {
            Assert.True(expected[name].eq(parameter).all().item<bool>(), $"parameter {name} differs");
        }
    }

    [Fact]
    public async Task The_gate_baseline_survives_a_resume_and_the_next_length_of_the_stage_and_is_dropped_in_the_next_stage()
    {
        var config = TinyConfigs.Gqa();
        var stage = TrainerFactory.Stage();
        using var checkpoints = new FolderCheckpoints();
        using (var first = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize)))
        {
            first.State = first.State with { BaselineShortContextLoss = 4.25 };
            first.Step();
            await checkpoints.Writer.SaveAsync(first, stageEnd: false, null, CancellationToken.None);
        }

        using var resumed = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize));
        await checkpoints.Checkpoint.RestoreNewestAsync(resumed, CancellationToken.None);
        using var nextLength = TrainerFactory.Create(config, stage with { LengthIndex = (stage.LengthIndex ?? 0) + 1 }, new SyntheticBatchSource(config.VocabSize));
        await checkpoints.Checkpoint.RestoreNewestAsync(nextLength, CancellationToken.None);
        using var next = TrainerFactory.Create(config, stage with { Name = "next", StageIndex = 1 }, new SyntheticBatchSource(config.VocabSize));
        await checkpoints.Checkpoint.RestoreNewestAsync(next, CancellationToken.None);

        Assert.Equal(4.25, resumed.State.BaselineShortContextLoss);
        Assert.Equal((4.25, 0L), (nextLength.State.BaselineShortContextLoss, nextLength.State.StageTokens));
        Assert.Null(next.State.BaselineShortContextLoss);
    }

    [Fact]
    public void Gradient_accumulation_over_micro_batches_gives_the_update_of_one_big_batch()
    {
        var config = TinyConfigs.Gqa();
        using var oneBatch = TrainerFactory.Create(config, TrainerFactory.Stage(batchTokens: 64, microBatch: 4), new SyntheticBatchSource(config.VocabSize));
        using var accumulated = TrainerFactory.Create(config, TrainerFactory.Stage(batchTokens: 64, microBatch: 1), new SyntheticBatchSource(config.VocabSize));

        var big = oneBatch.Step();
        var small = accumulated.Step();

        Assert.Equal(big.Loss, small.Loss, 5);
        Assert.Equal(big.GradNorm, small.GradNorm, 5);
        var expected = oneBatch.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in accumulated.Model.named_parameters())
        {
            Assert.True(expected[name].allclose(parameter, rtol: 1e-4, atol: 1e-6), $"parameter {name} differs");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void The_loss_of_a_tiny_model_falls_well_below_chance_on_a_learnable_sequence()
    {
        var config = TinyConfigs.Gqa(vocab: 64);
        var stage = TrainerFactory.Stage(budget: 64 * 4 * 60, batchTokens: 64 * 4, lr: 1e-2);
        using var trainer = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize));

        var losses = new List<double>();
        while (!trainer.StageDone)
        {
            losses.Add(trainer.Step().Loss);
        }

        var chance = Math.Log(config.VocabSize);
        Assert.InRange(losses[0], chance - 0.5, chance + 0.5);
        // Only a document's first token is unpredictable (1 of ~7.5 targets), so a learned model sits far below chance.
        Assert.True(losses.TakeLast(5).Average() < 0.5 * chance, $"final loss {losses.TakeLast(5).Average():F3} vs ln(vocab) {chance:F3}");
    }

    [Fact]
    public void Training_stops_at_the_stage_token_budget()
    {
        var config = TinyConfigs.Gqa();
        using var trainer = TrainerFactory.Create(config, TrainerFactory.Stage(budget: 64 * 5 + 1, batchTokens: 64), new SyntheticBatchSource(config.VocabSize));

        int steps = 0;
        while (!trainer.StageDone)
        {
            trainer.Step();
            steps++;
        }

        Assert.Equal(6, steps);
        Assert.Equal(6 * 64, trainer.State.StageTokens);
        Assert.Equal(trainer.State.StageTokens, trainer.State.Tokens);
    }
}
