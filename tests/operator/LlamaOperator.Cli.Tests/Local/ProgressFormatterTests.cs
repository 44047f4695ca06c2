using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Cli.Local;

namespace LlamaOperator.Cli.Tests.Local;

public class ProgressFormatterTests
{
    /// <summary>The tiny recipe: pretrain 122,880 tokens, long-context 81,920 per length (256, 512), anneal 81,920.</summary>
    private static LlamaTrainingJob Tiny(LlamaTrainingJobStatus? status)
    {
        var job = ManifestReader.ReadFile(CliRun.Example("tiny-local.yaml"));
        job.Status = status;
        return job;
    }

    private static LlamaTrainingJobStatus AtSecondLength() => new()
    {
        Phase = JobPhase.Running,
        Stage = new StageStatus { Index = 1, Name = "long-context", Type = StageType.LongContext, SequenceLength = 512, LengthIndex = 1, Tokens = 20_480 },
        Progress = new ProgressStatus { Step = 100, Loss = "3.214", TokensPerSecond = 1234, EtaSeconds = 75 },
        LatestCheckpoint = new CheckpointStatus { Stage = "long-context", Step = 100, Uri = "/c/100" },
        Restarts = new RestartStatus { Total = 2, Counted = 1 },
        Conditions = [new JobCondition { Type = "Progressing", Status = "True", Reason = "StageRunning", Message = "training long-context" }],
    };

    [Fact]
    public void Running_job_shows_done_current_and_waiting_rows_with_bars_and_numbers()
    {
        var lines = ProgressFormatter.Block(Tiny(AtSecondLength()));

        Assert.Equal("tiny-local Running stage 2/3 long-context (LongContext, 512 tokens/sequence) restarts 2 (1/3 counted)", lines[0]);
        Assert.Equal($"  pretrain           {ProgressFormatter.Bar(1)} 100%  122,880 / 122,880 tokens", lines[1]);
        Assert.Equal($"  long-context @256  {ProgressFormatter.Bar(1)} 100%  81,920 / 81,920 tokens", lines[2]);
        Assert.Equal($"  long-context @512  [#######-----------------------]  25%  20,480 / 81,920 tokens  <", lines[3]);
        Assert.Equal($"  anneal             {ProgressFormatter.Bar(0)}   0%  0 / 81,920 tokens", lines[4]);
        Assert.Equal("  averaging          after the last stage", lines[5]);
        Assert.Equal("  step 100, loss 3.214, 1,234 tokens/s, stage ETA 1m15s, checkpoint long-context step 100", lines[6]);
        Assert.Equal("  Progressing=True StageRunning: training long-context", lines[7]);
        Assert.Equal(8, lines.Count);
    }

    [Fact]
    public void Succeeded_job_fills_every_bar_and_names_the_final_model()
    {
        var status = AtSecondLength();
        status.Phase = JobPhase.Succeeded;
        status.Stage = new StageStatus { Index = 2, Name = "anneal", Type = StageType.Anneal, Tokens = 81_920 };
        status.FinalModel = "/work/ckpt/final";

        var lines = ProgressFormatter.Block(Tiny(status));

        Assert.StartsWith("tiny-local Succeeded restarts 2", lines[0]);
        Assert.All(lines.Skip(1).Take(4), l => Assert.Contains(ProgressFormatter.Bar(1) + " 100%", l));
        Assert.DoesNotContain(lines, l => l.EndsWith('<'));
        Assert.Equal("  averaging          done", lines[5]);
        Assert.EndsWith("final model /work/ckpt/final", lines[6]);
    }

    [Fact]
    public void Job_without_status_is_pending_with_empty_bars()
    {
        var lines = ProgressFormatter.Block(Tiny(null));

        Assert.Equal("tiny-local Pending restarts 0 (0/3 counted)", lines[0]);
        Assert.All(lines.Skip(1).Take(4), l => Assert.Contains(ProgressFormatter.Bar(0) + "   0%", l));
    }

    [Fact]
    public void Running_stage_budget_comes_from_the_spec_it_started_with()
    {
        var status = AtSecondLength();
        var job = Tiny(status);
        status.Stage!.StartedWith = ApiJson.Deserialize<StageSpec>(ApiJson.Serialize(job.Spec.Stages[1]));
        status.Stage.StartedWith!.Tokens = 40_960;
        job.Spec.Stages[1].Tokens = 1_000_000; // edited while running: applies from the next stage only

        Assert.Contains("50%  20,480 / 40,960 tokens", ProgressFormatter.Block(job)[3]);
    }

    [Fact]
    public void Plain_line_has_the_current_stage_and_the_numbers()
    {
        Assert.Equal(
            "tiny-local Running stage 2/3 long-context (LongContext, 512 tokens/sequence) restarts 2 (1/3 counted) | long-context @512 25% (20,480/81,920 tokens) | step 100, loss 3.214, 1,234 tokens/s, stage ETA 1m15s, checkpoint long-context step 100",
            ProgressFormatter.Line(Tiny(AtSecondLength())));
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

        Assert.Equal("  step 100", ProgressFormatter.Block(Tiny(status))[6]);
    }
}
