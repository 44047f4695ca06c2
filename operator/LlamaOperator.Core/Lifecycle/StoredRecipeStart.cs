using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Where a job new to the operator (Pending) starts: from what its checkpoint storage already holds, so that a job
/// pointed at the storage of a finished or half-done recipe (the README's command run again, a re-created job object)
/// spends no restarts rediscovering it. A recipe whose last stage ended, and whose final model is stored when it
/// averages, is Succeeded at once and no trainer starts; otherwise the stage (and LongContext length) of the newest
/// checkpoint starts and the trainer resumes from it (or, at its stage end, exits 0 at once, and the job moves on
/// through the usual gate and stage rules). Empty or unreadable storage, or a checkpoint of a stage the spec does not
/// have: the first stage.
/// </summary>
internal static class StoredRecipeStart
{
    public static void Apply(DecisionContext context)
    {
        var progress = context.Observation.Progress;
        var checkpoint = progress.Unavailable is null ? progress.Checkpoint : null;
        var stage = checkpoint is null ? null : context.Job.Stages.FirstOrDefault(s => s.Name == checkpoint.Stage && s.Index == checkpoint.StageIndex);
        if (checkpoint is null || stage is null || checkpoint.LengthIndex >= stage.SequenceLengths.Count)
        {
            var first = context.Job.Stages[0];
            StageStarter.Start(context, first, 0, JobPhase.Scheduling, "StageStarted", $"stage {first.Name} starts on {first.Nodes} pods");
            return;
        }

        var recipeEnded = checkpoint.StageEnd && stage.Index == context.Job.Stages.Count - 1 && checkpoint.LengthIndex == stage.SequenceLengths.Count - 1;
        var finalModel = stage.Averaging is null ? checkpoint.Uri : progress.FinalModelUri;
        if (recipeEnded && finalModel is not null)
        {
            context.Status.FinalModel = finalModel;
            context.Transition(JobPhase.Succeeded, "RecipeAlreadyComplete",
                $"the checkpoint storage already holds this recipe's end (checkpoint {checkpoint.Id} of the last stage {stage.Name}, step {checkpoint.Step}); nothing to train; final model at {finalModel}");
            return;
        }

        StageStarter.Start(context, stage, checkpoint.LengthIndex, JobPhase.Scheduling, "StageResumed",
            $"the checkpoint storage holds checkpoint {checkpoint.Id} of stage {stage.Name} (step {checkpoint.Step}{(checkpoint.StageEnd ? ", its end" : "")}); the stage starts from it on {stage.Nodes} pods");
    }
}
