using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

public class StageSettingsTests
{
    private static readonly ModelConfig Model = ModelPresets.All["llama3-8b"];

    private static LlamaTrainingJobSpec Job(params StageSpec[] stages) => new() { Stages = [.. stages] };

    [Fact]
    public void Defaults_follow_the_llama3_recipe_by_stage_type()
    {
        var job = Job(
            new StageSpec { Name = "pretrain", Type = StageType.Pretrain, Tokens = 4096 * 100, SequenceLength = 4096, BatchTokens = 4096 * 4 },
            new StageSpec { Name = "anneal", Type = StageType.Anneal, Tokens = 8192 * 10, SequenceLength = 8192, BatchTokens = 8192 });

        var pretrain = StageSettings.Resolve(job, "pretrain", null, Model);
        var anneal = StageSettings.Resolve(job, "anneal", null, Model);

        Assert.Equal((LrScheduleKind.Cosine, 3e-4), (pretrain.Schedule.Kind, pretrain.Schedule.Peak));
        Assert.Equal(3e-6, pretrain.Schedule.MinLr, 12);
        Assert.Equal((0.9, 0.95, 0.1, 1.0), (pretrain.Beta1, pretrain.Beta2, pretrain.WeightDecay, pretrain.GradClip));
        Assert.Equal((LrScheduleKind.LinearToZero, 10L), (anneal.Schedule.Kind, anneal.Schedule.DecaySteps));
        Assert.Equal(0, anneal.Schedule.At(10));
    }

    [Fact]
    public void A_long_context_stage_takes_the_length_of_its_index()
    {
        var job = Job(new StageSpec { Name = "long", Type = StageType.LongContext, Tokens = 1 << 20, SequenceLengths = [16384, 32768], BatchTokens = 65536 });

        var second = StageSettings.Resolve(job, "long", 1, Model);

        Assert.Equal((32768, (int?)1, LrScheduleKind.Constant), (second.Batches.At(0).SequenceLength, second.LengthIndex, second.Schedule.Kind));
        var error = Assert.Throws<ArgumentException>(() => StageSettings.Resolve(job, "long", 2, Model));
        Assert.Contains("--length-index 2", error.Message);
    }

    [Fact]
    public void A_batch_that_is_not_whole_micro_batches_names_the_field()
    {
        var job = Job(new StageSpec { Name = "pretrain", Type = StageType.Pretrain, Tokens = 1000, SequenceLength = 4096, BatchTokens = 6000 });

        var error = Assert.Throws<ArgumentException>(() => StageSettings.Resolve(job, "pretrain", null, Model));

        Assert.Contains("spec.stages[0].batchTokens", error.Message);
    }
}
