using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;

namespace LlamaOperator.Cli.Tests.Local;

public class ProgressFormatterTests
{
    /// <summary>The micro recipe: pretrain 6,144 tokens, long-context 768 per length (128, 256), anneal 1,024; maxRestarts 3.</summary>
    public static LlamaTrainingJob Micro(LlamaTrainingJobStatus? status)
    {
        var job = ManifestReader.ReadFile(Path.Combine(AppContext.BaseDirectory, "TestData", "micro-local.yaml"));
        job.Status = status;
        return job;
    }

    private static LlamaTrainingJobStatus AtSecondLength() => new()
    {
        Phase = JobPhase.Running,
        Stage = new StageStatus { Index = 1, Name = "long-context", Type = StageType.LongContext, SequenceLength = 256, LengthIndex = 1, Tokens = 192 },
        Progress = new ProgressStatus { Step = 100, Loss = "3.214", TokensPerSecond = 1234, EtaSeconds = 75 },
        LatestCheckpoint = new CheckpointStatus { Stage = "long-context", Step = 100, Uri = "/c/100" },
        Restarts = new RestartStatus { Total = 2, Counted = 1 },
        Conditions =
        [
            new JobCondition { Type = "Ready", Status = "False", Reason = "GangNotReady", Message = "1 of 2 pods running" },
            new JobCondition { Type = "Progressing", Status = "True", Reason = "StageRunning", Message = "training long-context" },
            new JobCondition { Type = "Suspended", Status = "False", Reason = "NotSuspended" },
        ],
    };

    [Fact]
    public void Running_job_shows_done_current_and_waiting_rows_with_bars_and_numbers()
    {
        var lines = ProgressFormatter.Block(Micro(AtSecondLength()));

        Assert.Equal("micro Running stage 2/3 long-context (LongContext, 256 tokens/sequence) restarts 2 (1/3 counted)", lines[0]);
        Assert.Equal($"  pretrain           {ProgressFormatter.Bar(1)} 100%  6,144 / 6,144 tokens", lines[1]);
        Assert.Equal($"  long-context @128  {ProgressFormatter.Bar(1)} 100%  768 / 768 tokens", lines[2]);
        Assert.Equal($"  long-context @256  [#######-----------------------]  25%  192 / 768 tokens  <", lines[3]);
        Assert.Equal($"  anneal             {ProgressFormatter.Bar(0)}   0%  0 / 1,024 tokens", lines[4]);
        Assert.Equal("  averaging          after the last stage", lines[5]);
        Assert.Equal("  step 100, loss 3.214, 1,234 tokens/s, stage ETA 1m15s, checkpoint long-context step 100", lines[6]);
        Assert.Equal("  Ready=False GangNotReady: 1 of 2 pods running", lines[7]);
        Assert.Equal("  Progressing=True StageRunning: training long-context", lines[8]);
        Assert.Equal(9, lines.Count);
    }

    [Fact]
    public void Succeeded_job_fills_every_bar_and_names_the_final_model()
    {
        var status = AtSecondLength();
        status.Phase = JobPhase.Succeeded;
        status.Stage = new StageStatus { Index = 2, Name = "anneal", Type = StageType.Anneal, Tokens = 1_024 };
        status.FinalModel = "/work/ckpt/final";

        var lines = ProgressFormatter.Block(Micro(status));

        Assert.StartsWith("micro Succeeded restarts 2", lines[0]);
        Assert.All(lines.Skip(1).Take(4), l => Assert.Contains(ProgressFormatter.Bar(1) + " 100%", l));
        Assert.DoesNotContain(lines, l => l.EndsWith('<'));
        Assert.Equal("  averaging          done", lines[5]);
        Assert.EndsWith("final model /work/ckpt/final", lines[6]);
        Assert.Equal("  Progressing=True StageRunning: training long-context", lines[7]); // Ready=False is no news once the job ended
    }

    [Fact]
    public void Job_without_status_is_pending_with_empty_bars()
    {
        var lines = ProgressFormatter.Block(Micro(null));

        Assert.Equal("micro Pending restarts 0 (0/3 counted)", lines[0]);
        Assert.All(lines.Skip(1).Take(4), l => Assert.Contains(ProgressFormatter.Bar(0) + "   0%", l));
    }

    [Fact]
    public void Running_stage_budget_comes_from_the_spec_it_started_with()
    {
        var status = AtSecondLength();
        var job = Micro(status);
        status.Stage!.StartedWith = ApiJson.Deserialize<StageSpec>(ApiJson.Serialize(job.Spec.Stages[1]));
        status.Stage.StartedWith!.Tokens = 384;
        job.Spec.Stages[1].Tokens = 1_000_000; // edited while running: applies from the next stage only

        Assert.Contains("50%  192 / 384 tokens", ProgressFormatter.Block(job)[3]);
    }

    [Fact]
    public void Plain_line_has_the_current_stage_and_the_numbers()
    {
        Assert.Equal(
            "micro Running stage 2/3 long-context (LongContext, 256 tokens/sequence) restarts 2 (1/3 counted) | long-context @256 25% (192/768 tokens) | step 100, loss 3.214, 1,234 tokens/s, stage ETA 1m15s, checkpoint long-context step 100",
            ProgressFormatter.Line(Micro(AtSecondLength())));
    }

    [Theory]
    [InlineData(0.0, "[----------]")]
    [InlineData(0.55, "[#####-----]")]
    [InlineData(1.0, "[##########]")]
    [InlineData(7.0, "[##########]")]
    public void Bar_fills_by_fraction(double fraction, string expected) => Assert.Equal(expected, ProgressFormatter.Bar(fraction, 10));

    [Fact]
    public void Closing_heartbeat_numbers_without_meaning_are_left_out()
    {
        var status = AtSecondLength();
        status.Progress = new ProgressStatus { Step = 100, Loss = "NaN", TokensPerSecond = 0 };
        status.LatestCheckpoint = null;

        Assert.Equal("  step 100", ProgressFormatter.Block(Micro(status))[6]);
    }
}
