using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// A stage (or LongContext length) is finished when the newest committed checkpoint is its stage-end checkpoint and
/// the whole gang exited 0. Then: the next length (if the gate passes), the next stage of the current spec, averaging,
/// or success.
/// </summary>
internal static class StageCompletion
{
    /// <summary>Returns true when the current stage was finished (and the job moved on).</summary>
    public static bool Apply(DecisionContext context, ResolvedStage stage)
    {
        var lengthIndex = context.Status.Stage!.LengthIndex ?? 0;
        var checkpoint = context.Observation.Progress.Checkpoint;
        if (checkpoint is not { StageEnd: true } || checkpoint.Stage != stage.Name || checkpoint.LengthIndex != lengthIndex || !context.Observation.Children.GangExitedZero(stage.Name, stage.Nodes))
        {
            return false;
        }

        if (stage.Gate is { } gate)
        {
            var length = stage.SequenceLengths[lengthIndex];
            if (LongContextGate.Failure(gate, length, checkpoint.Evals) is { } failure)
            {
                var message = $"stage {stage.Name} did not pass the gate at length {length} after its budget of {stage.Tokens} tokens: {failure}";
                if (gate.OnFailure == GateFailureAction.Fail)
                {
                    context.Transition(JobPhase.Failed, "GateNotPassed", message, warning: true);
                    return true;
                }

                context.SetCondition(ConditionTypes.GatePassed, false, "GateNotPassed", message + " (gate.onFailure is Continue)");
                context.Record(true, "GateNotPassed", message + "; continuing as gate.onFailure is Continue");
            }

            if (lengthIndex + 1 < stage.SequenceLengths.Count)
            {
                // Same stage, same pod names: Restarting tears the finished gang down before the next length's is created.
                StageStarter.Start(context, stage, lengthIndex + 1, JobPhase.Restarting, "LengthAdvanced",
                    $"stage {stage.Name} finished length {length} at step {checkpoint.Step}; length {stage.SequenceLengths[lengthIndex + 1]} starts from {checkpoint.Uri}");
                return true;
            }
        }

        var next = context.Job.Stages.FirstOrDefault(s => s.Index == stage.Index + 1);
        if (next is not null)
        {
            var p = next.Parallelism;
            StageStarter.Start(context, next, 0, JobPhase.Scheduling, "StageStarted",
                $"stage {stage.Name} finished at step {checkpoint.Step}; stage {next.Name} starts from {checkpoint.Uri} on {next.Nodes} pods (tp {p.Tp}, cp {p.Cp}, pp {p.Pp}, dp {p.Dp})");
        }
        else if (stage.Averaging is { } averaging)
        {
            context.Transition(JobPhase.Averaging, "AveragingStarted", $"stage {stage.Name} finished at step {checkpoint.Step}; averaging its last {averaging.Checkpoints} checkpoints");
        }
        else
        {
            context.Status.FinalModel = checkpoint.Uri;
            context.Transition(JobPhase.Succeeded, "JobSucceeded", $"the last stage {stage.Name} finished; final model at {checkpoint.Uri}");
        }

        return true;
    }
}
