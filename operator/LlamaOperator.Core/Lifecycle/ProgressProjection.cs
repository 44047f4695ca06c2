using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Copies the trainer's heartbeat and newest committed checkpoint into status.progress, status.stage.tokens (when the
/// heartbeat comes from the current stage and length) and status.latestCheckpoint, and says in the ProgressAvailable
/// condition whether storage could be read. A heartbeat without a step's
/// numbers (the trainer's closing one: NaN loss, 0 tokens/s) keeps the last loss and throughput.
/// </summary>
internal static class ProgressProjection
{
    /// <summary>Returns whether a checkpoint newer than the one on the status was committed.</summary>
    public static bool Apply(DecisionContext context)
    {
        Availability(context);
        var (heartbeat, checkpoint, _) = context.Observation.Progress;
        if (heartbeat is not null)
        {
            var progress = context.Status.Progress ??= new ProgressStatus();
            progress.Step = heartbeat.Step;
            progress.Tokens = heartbeat.Tokens;
            if (heartbeat.Loss is { } loss && double.IsFinite(loss))
            {
                progress.Loss = loss.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
            }

            if (heartbeat.TokensPerSecond is { } tps && tps > 0)
            {
                progress.TokensPerSecond = (long)tps;
            }

            progress.LastHeartbeatTime = heartbeat.Time;
            if (context.Status.Stage is { } stage && heartbeat.StageTokens is { } stageTokens
                && heartbeat.Stage == stage.Name && (heartbeat.LengthIndex ?? 0) == (stage.LengthIndex ?? 0))
            {
                stage.Tokens = stageTokens;
            }
        }

        if (checkpoint is null || context.Status.LatestCheckpoint?.Uri == checkpoint.Uri)
        {
            return false;
        }

        var newer = context.Status.LatestCheckpoint is null || checkpoint.Step > context.Status.LatestCheckpoint.Step;
        context.Status.LatestCheckpoint = new CheckpointStatus
        {
            Uri = checkpoint.Uri,
            Step = checkpoint.Step,
            Tokens = checkpoint.Tokens,
            Stage = checkpoint.Stage,
            Time = checkpoint.Time,
        };
        return newer;
    }

    /// <summary>ProgressAvailable False while storage is unreadable (with a ProgressUnavailable event for each new error); set back to True only once it was False, so a job that never had a storage problem carries no such condition.</summary>
    private static void Availability(DecisionContext context)
    {
        if (context.Observation.Progress.Unavailable is { } why)
        {
            if (JobConditionSetter.Find(context.Status, ConditionTypes.ProgressAvailable) is not { Status: JobConditionSetter.False } known || known.Message != why)
            {
                context.Record(true, "ProgressUnavailable", $"{why}; retrying, the last progress read stands meanwhile");
            }

            context.SetCondition(ConditionTypes.ProgressAvailable, false, "StorageUnreadable", why);
        }
        else if (JobConditionSetter.Find(context.Status, ConditionTypes.ProgressAvailable) is not null)
        {
            context.SetCondition(ConditionTypes.ProgressAvailable, true, "StorageRead", "the checkpoint store was read");
        }
    }
}
