using System.Globalization;
using System.Text;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// Turns a LlamaTrainingJob's status into console text: <see cref="Block"/> is the live view (a header, one progress
/// bar per stage, or per length of a LongContext stage, the averaging step, the numbers and conditions) redrawn in
/// place on a terminal; <see cref="Line"/> is one self-contained line for logs. Pure.
/// </summary>
internal static class ProgressFormatter
{
    public const int BarWidth = 30;

    public static IReadOnlyList<string> Block(LlamaTrainingJob job)
    {
        var status = job.Status ?? new LlamaTrainingJobStatus();
        var rows = Rows(job);
        var labelWidth = rows.Count == 0 ? 0 : rows.Max(r => r.Label.Length);
        var lines = new List<string> { Header(job) };
        foreach (var row in rows)
        {
            var tokens = $"{N(row.Tokens)} / {N(row.Budget)} tokens";
            lines.Add($"  {row.Label.PadRight(labelWidth)}  {Bar(row.Fraction)} {Percent(row.Fraction),4}  {tokens}{(row.Current ? "  <" : "")}");
        }

        if (HasAveraging(job))
        {
            var state = status.Phase switch
            {
                JobPhase.Averaging => "running",
                JobPhase.Succeeded => "done",
                _ => "after the last stage",
            };
            lines.Add($"  {"averaging".PadRight(labelWidth)}  {state}");
        }

        if (Numbers(status) is { Length: > 0 } numbers)
        {
            lines.Add("  " + numbers);
        }

        // What holds now, and Ready whatever it is (why the gang is not ready is worth seeing); the rest is history.
        foreach (var condition in (status.Conditions ?? []).Where(c => c.Status == "True" || (c.Type == ConditionTypes.Ready && status.Phase is not (JobPhase.Succeeded or JobPhase.Failed))))
        {
            lines.Add($"  {condition.Type}={condition.Status}{(condition.Reason is null ? "" : " " + condition.Reason)}{(string.IsNullOrEmpty(condition.Message) ? "" : ": " + condition.Message)}");
        }

        return lines;
    }

    /// <summary>One line: phase, the current stage's progress, the numbers.</summary>
    public static string Line(LlamaTrainingJob job)
    {
        var status = job.Status ?? new LlamaTrainingJobStatus();
        var text = new StringBuilder(Header(job));
        if (Rows(job).FirstOrDefault(r => r.Current) is { } row && status.Phase is not (JobPhase.Succeeded or JobPhase.Averaging))
        {
            text.Append(CultureInfo.InvariantCulture, $" | {row.Label} {Percent(row.Fraction)} ({N(row.Tokens)}/{N(row.Budget)} tokens)");
        }

        if (Numbers(status) is { Length: > 0 } numbers)
        {
            text.Append(" | ").Append(numbers);
        }

        return text.ToString();
    }

    /// <summary>[#####-----] for a fraction in [0, 1].</summary>
    public static string Bar(double fraction, int width = BarWidth)
    {
        var filled = (int)Math.Floor(Math.Clamp(fraction, 0, 1) * width);
        return "[" + new string('#', filled) + new string('-', width - filled) + "]";
    }

    /// <summary>One row of the view: a stage, or one length of a LongContext stage.</summary>
    public sealed record Row(string Label, long Tokens, long Budget, bool Current)
    {
        public double Fraction => Budget <= 0 ? 0 : Math.Clamp((double)Tokens / Budget, 0, 1);
    }

    public static IReadOnlyList<Row> Rows(LlamaTrainingJob job)
    {
        var status = job.Status ?? new LlamaTrainingJobStatus();
        var finished = status.Phase is JobPhase.Succeeded or JobPhase.Averaging;
        var rows = new List<Row>();
        for (var index = 0; index < job.Spec.Stages.Count; index++)
        {
            var running = status.Stage is { } s && s.Index == index;
            var stage = running && status.Stage!.StartedWith is { } pinned ? pinned : job.Spec.Stages[index];
            var lengths = stage.Type == StageType.LongContext && stage.SequenceLengths is { Count: > 0 } l ? l.Select(x => (int?)x).ToList() : [null];
            for (var lengthIndex = 0; lengthIndex < lengths.Count; lengthIndex++)
            {
                var label = lengths[lengthIndex] is { } length ? $"{stage.Name} @{length}" : stage.Name;
                var position = Compare(index, lengthIndex, status.Stage);
                var current = !finished && position == 0;
                var tokens = finished || position < 0 ? stage.Tokens : position == 0 ? status.Stage!.Tokens ?? 0 : 0;
                rows.Add(new Row(label, tokens, stage.Tokens, current));
            }
        }

        return rows;
    }

    /// <summary>Before (-1), at (0) or after (1) the running stage and length; everything is after when none runs yet.</summary>
    private static int Compare(int index, int lengthIndex, StageStatus? running)
    {
        if (running is null)
        {
            return 1;
        }

        var order = index.CompareTo(running.Index);
        return order != 0 ? order : lengthIndex.CompareTo(running.LengthIndex ?? 0);
    }

    private static string Header(LlamaTrainingJob job)
    {
        var status = job.Status ?? new LlamaTrainingJobStatus();
        var text = new StringBuilder(job.Metadata?.Name ?? "job");
        text.Append(' ').Append(status.Phase?.ToString() ?? "Pending");
        if (status.Stage is { } stage && status.Phase is not (JobPhase.Succeeded or JobPhase.Averaging))
        {
            text.Append(CultureInfo.InvariantCulture, $" stage {stage.Index + 1}/{job.Spec.Stages.Count} {stage.Name} ({stage.Type}");
            if (stage.SequenceLength is { } length)
            {
                text.Append(CultureInfo.InvariantCulture, $", {N(length)} tokens/sequence");
            }

            text.Append(')');
        }

        var restarts = status.Restarts;
        var maxRestarts = job.Spec.FailurePolicy?.MaxRestarts ?? JobDefaults.MaxRestarts;
        text.Append(CultureInfo.InvariantCulture, $" restarts {restarts?.Total ?? 0} ({restarts?.Counted ?? 0}/{maxRestarts} counted)");
        return text.ToString();
    }

    private static string Numbers(LlamaTrainingJobStatus status)
    {
        var parts = new List<string>();
        if (status.Progress is { } progress)
        {
            if (progress.Step is { } step)
            {
                parts.Add($"step {N(step)}");
            }

            // A trainer's closing heartbeat carries no step: NaN loss and 0 tokens/s say nothing.
            if (progress.Loss is { } loss && double.TryParse(loss, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                parts.Add($"loss {loss}");
            }

            if (progress.TokensPerSecond is { } rate && rate > 0)
            {
                parts.Add($"{N(rate)} tokens/s");
            }

            if (progress.EtaSeconds is { } eta && status.Phase == JobPhase.Running)
            {
                parts.Add($"stage ETA {Duration(eta)}");
            }
        }

        if (status.LatestCheckpoint is { } checkpoint)
        {
            parts.Add($"checkpoint {checkpoint.Stage} step {N(checkpoint.Step)}");
        }

        if (status.FinalModel is { } final)
        {
            parts.Add($"final model {final}");
        }

        return string.Join(", ", parts);
    }

    /// <summary>An Anneal stage always ends with checkpoint averaging (JobResolver).</summary>
    private static bool HasAveraging(LlamaTrainingJob job) => job.Spec.Stages.Any(s => s.Type == StageType.Anneal);

    private static string Percent(double fraction) => ((int)Math.Floor(fraction * 100)).ToString(CultureInfo.InvariantCulture) + "%";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Duration(long seconds) =>
        seconds >= 3600 ? $"{seconds / 3600}h{seconds % 3600 / 60:00}m" : seconds >= 60 ? $"{seconds / 60}m{seconds % 60:00}s" : $"{seconds}s";
}
