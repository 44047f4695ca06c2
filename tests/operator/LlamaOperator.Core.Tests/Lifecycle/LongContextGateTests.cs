using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

public class LongContextGateTests
{
    public static TheoryData<double, double, bool, string> Evals => new()
    {
        { 2.04, 1.0, true, "" },
        { 2.05, 1.0, false, "short-context loss 2.05 > 2.04" },
        { 2.00, 0.8, false, "needle accuracy 0.8 < 1 at length 512" },
    };

    [Theory]
    [MemberData(nameof(Evals))]
    public void A_length_advances_only_when_short_context_loss_recovered_and_the_needle_is_found(double loss, double needle, bool passes, string why)
    {
        var s = AtEndOfFirstLength(GateFailureAction.Fail, new CheckpointEvals(loss, 2.0, new Dictionary<int, double> { [512] = needle }));

        var decision = s.Step();

        if (passes)
        {
            Assert.Equal((JobPhase.Restarting, 1), (s.Status.Phase!.Value, s.Status.Stage!.LengthIndex!.Value));
            return;
        }

        Assert.Equal(JobPhase.Failed, s.Status.Phase);
        var failed = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed);
        Assert.Equal("GateNotPassed", failed.Reason);
        Assert.Contains("stage long did not pass the gate at length 512 after its budget of 100000 tokens", failed.Message);
        Assert.Contains(why, failed.Message);
        Assert.Equal([new DeleteStageObjects("long")], decision.Actions);
    }

    [Fact]
    public void A_stage_end_checkpoint_without_evals_fails_the_gate_with_what_is_missing()
    {
        var s = AtEndOfFirstLength(GateFailureAction.Fail, null);

        s.Step();

        Assert.Contains("has no short-context eval", s.Status.Conditions!.Single(c => c.Type == ConditionTypes.Failed).Message);
    }

    [Fact]
    public void With_onFailure_Continue_a_failed_gate_sets_a_warning_condition_and_the_next_length_starts()
    {
        var s = AtEndOfFirstLength(GateFailureAction.Continue, new CheckpointEvals(2.5, 2.0, new Dictionary<int, double> { [512] = 1.0 }));

        var decision = s.Step();

        Assert.Equal((JobPhase.Restarting, 1024), (s.Status.Phase!.Value, s.Status.Stage!.SequenceLength!.Value));
        var gate = s.Status.Conditions!.Single(c => c.Type == ConditionTypes.GatePassed);
        Assert.Equal(("False", "GateNotPassed"), (gate.Status, gate.Reason));
        Assert.Contains(decision.Events, e => e.Warning && e.Reason == "GateNotPassed");
        s.AssertStable();
    }

    [Fact]
    public void An_edit_of_the_running_long_context_stage_does_not_reach_its_next_length()
    {
        var s = AtEndOfFirstLength(GateFailureAction.Fail, new CheckpointEvals(2.0, 2.0, new Dictionary<int, double> { [512] = 1.0 }));
        var nodes = s.Status.Topology!.Nodes;
        s.Job.Metadata.Generation = 2;
        s.Job.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 4 };

        s.Step();

        Assert.Equal((JobPhase.Restarting, 1), (s.Status.Phase!.Value, s.Status.Stage!.LengthIndex!.Value));
        Assert.Equal((nodes, 2), (s.Status.Topology!.Nodes, s.Status.Stage!.StartedWith!.Parallelism.Cp));
    }

    /// <summary>The long-context stage has run its first length (512) to the stage-end checkpoint with these evals.</summary>
    private static LifecycleScenario AtEndOfFirstLength(GateFailureAction onFailure, CheckpointEvals? evals)
    {
        var s = new LifecycleScenario(onFailure);
        s.RunFirstStage();
        s.Commit("pretrain", 0, 489, stageEnd: true);
        s.SetPods("pretrain", ObservedPodPhase.Succeeded);
        s.Step();
        s.DeletionsFinish();
        s.SetPods("long", ObservedPodPhase.Running);
        s.Step();
        s.Commit("long", 1, 538, stageEnd: true, lengthIndex: 0, evals: evals);
        s.SetPods("long", ObservedPodPhase.Succeeded);
        return s;
    }
}
