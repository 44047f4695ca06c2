using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

/// <summary>What the trainer's heartbeat puts on the job's status: the numbers `kubectl get ltj` and `llamaop local` show.</summary>
public class ProgressProjectionTests
{
    private static ObservedHeartbeat Beat(long step, string stage, int? lengthIndex, long stageTokens, double loss = 2.5, double tokensPerSecond = 1000) =>
        new(step, step * 2048, LifecycleScenario.Start, "Running", loss, tokensPerSecond) { Stage = stage, LengthIndex = lengthIndex, StageTokens = stageTokens };

    [Fact]
    public void Heartbeat_of_the_running_stage_sets_its_tokens_and_the_job_numbers()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();

        s.Heartbeat = Beat(40, "pretrain", null, 81_920, loss: 3.25, tokensPerSecond: 1234.5);
        s.Step();

        Assert.Equal(81_920, s.Status.Stage!.Tokens);
        Assert.Equal((40L, 81_920L, "3.25", 1234L), (s.Status.Progress!.Step!.Value, s.Status.Progress.Tokens!.Value, s.Status.Progress.Loss, s.Status.Progress.TokensPerSecond!.Value));
    }

    [Theory]
    [InlineData("long", null)] // another stage (a late heartbeat of the previous gang, or the next stage's)
    [InlineData("pretrain", 1)] // another LongContext length
    public void Heartbeat_of_another_stage_or_length_leaves_the_stage_tokens_alone(string stage, int? lengthIndex)
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Heartbeat = Beat(10, "pretrain", null, 20_480);
        s.Step();

        s.Heartbeat = Beat(11, stage, lengthIndex, 999);
        s.Step();

        Assert.Equal(20_480, s.Status.Stage!.Tokens);
    }

    [Fact]
    public void Closing_heartbeat_without_step_numbers_keeps_the_last_loss_and_throughput()
    {
        var s = new LifecycleScenario();
        s.RunFirstStage();
        s.Heartbeat = Beat(10, "pretrain", null, 20_480, loss: 2.75, tokensPerSecond: 900);
        s.Step();

        s.Heartbeat = Beat(10, "pretrain", null, 20_480, loss: double.NaN, tokensPerSecond: 0);
        s.Step();

        Assert.Equal("2.75", s.Status.Progress!.Loss);
        Assert.Equal(900, s.Status.Progress.TokensPerSecond);
    }

    [Fact]
    public void Unreadable_storage_sets_ProgressAvailable_false_and_holds_off_hang_detection_until_it_reads_again()
    {
        var s = new LifecycleScenario(); // hangTimeoutSeconds 300
        s.RunFirstStage();
        s.Heartbeat = Beat(10, "pretrain", null, 20_480);
        s.Step();
        Assert.Null(s.Status.Conditions!.FirstOrDefault(c => c.Type == ConditionTypes.ProgressAvailable));

        s.StorageError = "reading progress from https://acct.blob.core.windows.net/ckpt: 403 AuthorizationFailure";
        s.Now = s.Now.AddSeconds(1_000); // far past the hang timeout, counted from the last good heartbeat
        var blind = s.Step();

        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Empty(blind.Actions);
        var unavailable = Assert.Single(s.Status.Conditions!, c => c.Type == ConditionTypes.ProgressAvailable);
        Assert.Equal(("False", "StorageUnreadable", s.StorageError), (unavailable.Status, unavailable.Reason, unavailable.Message));
        s.AssertStable();

        s.StorageError = null;
        s.Heartbeat = Beat(500, "pretrain", null, 1_024_000) with { Time = s.Now };
        s.Step();

        Assert.Equal(JobPhase.Running, s.Status.Phase);
        Assert.Equal(0, s.Status.Restarts?.Total ?? 0);
        Assert.Equal("True", Assert.Single(s.Status.Conditions!, c => c.Type == ConditionTypes.ProgressAvailable).Status);
        s.AssertStable();
    }
}
