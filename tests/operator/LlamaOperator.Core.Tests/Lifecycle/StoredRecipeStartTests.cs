using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

/// <summary>A job new to the operator, pointed at storage that already holds some or all of its recipe.</summary>
public class StoredRecipeStartTests
{
    [Fact]
    public void A_new_job_on_the_storage_of_a_finished_recipe_succeeds_at_once_with_the_stored_final_model_and_starts_no_pod()
    {
        var s = new LifecycleScenario();
        s.Commit("anneal", 2, 636, stageEnd: true);
        s.FinalModel = "/ckpt/tiny/final";

        var decision = s.Step();

        Assert.Equal(JobPhase.Succeeded, s.Status.Phase);
        Assert.Equal("/ckpt/tiny/final", s.Status.FinalModel);
        Assert.DoesNotContain(decision.Actions, a => a is CreateStageObjects or CreateAveragingPod);
        Assert.Contains(decision.Events, e => e.Reason == "RecipeAlreadyComplete" && e.Message.Contains("step-636") && e.Message.Contains("/ckpt/tiny/final"));
        s.AssertStable();
    }

    [Fact]
    public void A_new_job_on_half_done_storage_starts_the_stage_and_length_of_the_newest_checkpoint_from_it()
    {
        var s = new LifecycleScenario();
        var stored = s.Commit("long", 1, 550, lengthIndex: 1);

        var decision = s.Step();

        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        Assert.Equal(("long", 1), (s.Status.Stage!.Name, s.Status.Stage.LengthIndex!.Value));
        Assert.Equal([new Gang("long", 1, stored.Uri, 1, 2)], LifecycleScenario.Summary(decision));
        Assert.Contains(decision.Events, e => e.Reason == "StageResumed" && e.Message.Contains("step-550"));
    }

    [Fact]
    public void A_stored_last_stage_end_without_its_averaged_model_runs_that_stage_again_so_the_averaging_follows()
    {
        var s = new LifecycleScenario();
        var stored = s.Commit("anneal", 2, 636, stageEnd: true);

        var decision = s.Step();

        Assert.Equal(JobPhase.Scheduling, s.Status.Phase);
        Assert.Equal([new Gang("anneal", 0, stored.Uri, 1, 1)], LifecycleScenario.Summary(decision));
        s.SetPods("anneal", ObservedPodPhase.Succeeded);
        s.Step();
        Assert.Equal(JobPhase.Averaging, s.Status.Phase);
    }

    [Fact]
    public void A_checkpoint_of_a_stage_the_spec_does_not_have_or_unreadable_storage_starts_the_first_stage()
    {
        var renamed = new LifecycleScenario();
        renamed.Commit("warmup", 0, 10);
        var unreadable = new LifecycleScenario();
        unreadable.Commit("anneal", 2, 636, stageEnd: true);
        unreadable.FinalModel = "/ckpt/tiny/final";
        unreadable.StorageError = "the storage did not answer within 10 s";

        renamed.Step();
        unreadable.Step();

        Assert.Equal(("pretrain", JobPhase.Scheduling), (renamed.Status.Stage!.Name, renamed.Status.Phase!.Value));
        Assert.Equal(("pretrain", JobPhase.Scheduling), (unreadable.Status.Stage!.Name, unreadable.Status.Phase!.Value));
    }
}
