using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;

namespace LlamaOperator.Cli.Tests.Local;

public class ProgressConsoleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static LlamaTrainingJob Job(JobPhase phase, long step, int stageIndex = 0)
    {
        var job = ProgressFormatterTests.Micro(null);
        job.Status = new LlamaTrainingJobStatus
        {
            Phase = phase,
            Stage = new StageStatus { Index = stageIndex, Name = job.Spec.Stages[stageIndex].Name, Type = job.Spec.Stages[stageIndex].Type, Tokens = step * 1024 },
            Progress = new ProgressStatus { Step = step },
        };
        return job;
    }

    [Fact]
    public void Terminal_redraws_the_block_in_place_and_skips_unchanged_frames()
    {
        var output = new StringWriter();
        var console = new ProgressConsole(output, redraw: true, width: 200, new ManualTime(), TimeSpan.FromSeconds(10));

        console.Show(Job(JobPhase.Running, 1));
        var first = output.ToString();
        console.Show(Job(JobPhase.Running, 1));
        Assert.Equal(first, output.ToString());
        console.Show(Job(JobPhase.Running, 2));

        var lineCount = ProgressFormatter.Block(Job(JobPhase.Running, 1)).Count;
        Assert.DoesNotContain("\u001b[", first);
        Assert.Equal(first + $"\u001b[{lineCount}A\r\u001b[J" + string.Join("", ProgressFormatter.Block(Job(JobPhase.Running, 2)).Select(l => l + Environment.NewLine)), output.ToString());
    }

    [Fact]
    public void Terminal_lines_are_cut_to_the_width_so_they_never_wrap()
    {
        var output = new StringWriter();
        new ProgressConsole(output, redraw: true, width: 40, new ManualTime(), TimeSpan.FromSeconds(10)).Show(Job(JobPhase.Running, 1));

        Assert.All(output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), l => Assert.True(l.Length < 40, l));
    }

    [Fact]
    public void Plain_output_writes_milestones_at_once_and_numbers_at_most_every_interval()
    {
        var output = new StringWriter();
        var time = new ManualTime();
        var console = new ProgressConsole(output, redraw: false, width: int.MaxValue, time, TimeSpan.FromSeconds(10));

        console.Show(Job(JobPhase.Running, 1));
        time.Now += TimeSpan.FromSeconds(2);
        console.Show(Job(JobPhase.Running, 2));             // numbers only, too soon: skipped
        console.Show(Job(JobPhase.Running, 3, stageIndex: 1)); // a new stage: written
        time.Now += TimeSpan.FromSeconds(11);
        console.Show(Job(JobPhase.Running, 4, stageIndex: 1)); // interval passed: written
        console.Show(Job(JobPhase.Running, 4, stageIndex: 1)); // unchanged: skipped

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("12:00:00 micro Running stage 1/3 pretrain", lines[0]);
        Assert.StartsWith("12:00:02 micro Running stage 2/3 long-context", lines[1]);
        Assert.Contains("step 4", lines[2]);
        Assert.DoesNotContain("\u001b", output.ToString());
    }
}
