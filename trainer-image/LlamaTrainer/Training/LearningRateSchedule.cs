using LlamaOperator.Api.V1Alpha1;

namespace LlamaTrainer.Training;

/// <summary>The learning rate as a pure function of the stage's optimizer step (0-based).</summary>
public sealed record LearningRateSchedule(LrScheduleKind Kind, double Peak, long WarmupSteps, long DecaySteps, double MinLr)
{
    public double At(long step) => Kind switch
    {
        LrScheduleKind.Cosine => WarmupCosine(step, Peak, WarmupSteps, DecaySteps, MinLr),
        LrScheduleKind.Constant => Constant(step, Peak, WarmupSteps),
        LrScheduleKind.LinearToZero => LinearToZero(step, Peak, DecaySteps),
        _ => throw new InvalidOperationException($"unknown schedule kind {Kind}"),
    };

    /// <summary>Linear warm-up from 0 to peak over <paramref name="warmup"/> steps, then cosine from peak to the floor over <paramref name="decay"/> steps, then the floor.</summary>
    public static double WarmupCosine(long step, double peak, long warmup, long decay, double floor)
    {
        if (step < warmup)
        {
            return peak * (step + 1) / warmup;
        }
        var progress = Math.Min(1.0, (double)(step - warmup) / Math.Max(1, decay));
        return floor + (peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Optional linear warm-up, then flat.</summary>
    public static double Constant(long step, double peak, long warmup) =>
        step < warmup ? peak * (step + 1) / warmup : peak;

    /// <summary>From <paramref name="start"/> at step 0 linearly down to 0 at step <paramref name="totalSteps"/> (annealing).</summary>
    public static double LinearToZero(long step, double start, long totalSteps) =>
        start * Math.Max(0.0, 1.0 - (double)step / Math.Max(1, totalSteps));
}
