using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warmup_rises_linearly_to_the_peak_then_cosine_reaches_the_floor()
    {
        var schedule = new LearningRateSchedule(LrScheduleKind.Cosine, Peak: 8e-5, WarmupSteps: 8000, DecaySteps: 1_200_000, MinLr: 8e-7);

        Assert.Equal(8e-5 / 8000, schedule.At(0), 12);
        Assert.Equal(8e-5 / 2, schedule.At(3999), 12);
        Assert.Equal(8e-5, schedule.At(7999), 12);
        Assert.Equal((8e-5 + 8e-7) / 2, schedule.At(8000 + 600_000), 12);
        Assert.Equal(8e-7, schedule.At(8000 + 1_200_000), 12);
        Assert.Equal(8e-7, schedule.At(5_000_000), 12);
    }

    [Fact]
    public void Cosine_decay_never_increases_after_warmup()
    {
        var schedule = new LearningRateSchedule(LrScheduleKind.Cosine, 1e-3, 10, 100, 1e-5);

        var rates = Enumerable.Range(10, 120).Select(s => schedule.At(s)).ToList();

        Assert.All(rates.Zip(rates.Skip(1)), pair => Assert.True(pair.Second <= pair.First));
    }

    [Fact]
    public void Linear_to_zero_halves_at_midpoint_and_ends_at_zero()
    {
        var schedule = new LearningRateSchedule(LrScheduleKind.LinearToZero, 2e-5, 0, 400, 0);

        Assert.Equal(2e-5, schedule.At(0), 12);
        Assert.Equal(1e-5, schedule.At(200), 12);
        Assert.Equal(0, schedule.At(400), 12);
        Assert.Equal(0, schedule.At(401), 12);
    }

    [Fact]
    public void Constant_stays_at_the_peak_after_warmup()
    {
        var schedule = new LearningRateSchedule(LrScheduleKind.Constant, 1e-4, 4, 0, 0);

        Assert.Equal(0.5e-4, schedule.At(1), 12);
        Assert.Equal(1e-4, schedule.At(4), 12);
        Assert.Equal(1e-4, schedule.At(10_000), 12);
    }
}
