using System.Globalization;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>Checkpoint ids: 'step-' and the step zero-padded to 10 digits, so that ordinal order is step order.</summary>
public static class CheckpointId
{
    private const string Start = "step-";
    private const int Digits = 10;

    public static string ForStep(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Start + step.ToString("D" + Digits, CultureInfo.InvariantCulture);
    }

    /// <summary>The step of an id; false for names that are not checkpoint ids.</summary>
    public static bool TryParseStep(string id, out long step)
    {
        step = 0;
        return id.Length == Start.Length + Digits
            && id.StartsWith(Start, StringComparison.Ordinal)
            && id.AsSpan(Start.Length).IndexOfAnyExceptInRange('0', '9') < 0
            && long.TryParse(id.AsSpan(Start.Length), NumberStyles.None, CultureInfo.InvariantCulture, out step);
    }
}
