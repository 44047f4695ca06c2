using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// Shows a job's progress on a console. On a terminal the <see cref="ProgressFormatter.Block"/> is redrawn in place
/// (cursor up, clear to the end); otherwise (CI logs, pipes) one <see cref="ProgressFormatter.Line"/> is written when
/// the phase or stage changes, and at most every <c>plainInterval</c> while only the numbers move.
/// </summary>
internal sealed class ProgressConsole(TextWriter output, bool redraw, int width, TimeProvider time, TimeSpan plainInterval)
{
    private List<string> _drawn = [];
    private string? _lastLine;
    private string? _lastMilestone;
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;

    /// <summary>Redraws when <paramref name="output"/> is the console on a terminal; lines every 10 s otherwise.</summary>
    public static ProgressConsole For(TextWriter output)
    {
        var terminal = output == Console.Out && !Console.IsOutputRedirected;
        return new(output, terminal, terminal ? Math.Max(Console.WindowWidth, 40) : int.MaxValue, TimeProvider.System, TimeSpan.FromSeconds(10));
    }

    public void Show(LlamaTrainingJob job)
    {
        if (redraw)
        {
            Redraw(job);
            return;
        }

        var line = ProgressFormatter.Line(job);
        var milestone = Milestone(job);
        var now = time.GetUtcNow();
        if (line == _lastLine || (milestone == _lastMilestone && now - _lastWrite < plainInterval))
        {
            return;
        }

        output.WriteLine($"{now:HH:mm:ss} {line}");
        output.Flush();
        _lastLine = line;
        _lastMilestone = milestone;
        _lastWrite = now;
    }

    private void Redraw(LlamaTrainingJob job)
    {
        var lines = ProgressFormatter.Block(job).Select(Fit).ToList();
        if (lines.SequenceEqual(_drawn))
        {
            return;
        }

        if (_drawn.Count > 0)
        {
            // Up to the first line of the previous block, then clear from there to the end of the screen.
            output.Write($"\u001b[{_drawn.Count}A\r\u001b[J");
        }

        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        output.Flush();
        _drawn = lines;
    }

    /// <summary>A wrapped line would break the cursor arithmetic: cut lines to the terminal width.</summary>
    private string Fit(string line) => line.Length < width ? line : line[..Math.Max(width - 2, 1)] + "…";

    private static string Milestone(LlamaTrainingJob job) =>
        $"{job.Status?.Phase}/{job.Status?.Stage?.Index}/{job.Status?.Stage?.LengthIndex}/{job.Status?.Restarts?.Total}";
}
