using System.Globalization;
using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// The LongContext gate of one length: short-context loss recovered (at most baseline * (1 + tolerance)) and
/// needle-in-a-haystack accuracy at that length at least the threshold.
/// </summary>
internal static class LongContextGate
{
    /// <summary>Returns null when the gate passes, else why it failed.</summary>
    public static string? Failure(ResolvedGate gate, int sequenceLength, CheckpointEvals? evals)
    {
        if (evals?.ShortContextLoss is not { } loss || evals.BaselineShortContextLoss is not { } baseline)
        {
            return $"the stage-end checkpoint at length {sequenceLength} has no short-context eval (shortContextLoss and baselineShortContextLoss expected)";
        }

        var problems = new List<string>();
        var limit = baseline * (1 + gate.ShortContextTolerance);
        if (loss > limit)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"short-context loss {loss:G4} > {limit:G4} (baseline {baseline:G4} * (1 + {gate.ShortContextTolerance:G3}))"));
        }

        if (!evals.NeedleAccuracy.TryGetValue(sequenceLength, out var accuracy))
        {
            problems.Add($"no needle accuracy at length {sequenceLength}");
        }
        else if (accuracy < gate.NeedleAccuracy)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"needle accuracy {accuracy:G4} < {gate.NeedleAccuracy:G4} at length {sequenceLength}"));
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
