using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>Copies the trainer's heartbeat and newest committed checkpoint into status.progress and status.latestCheckpoint.</summary>
internal static class ProgressProjection
{
    /// <summary>Returns whether a checkpoint newer than the one on the status was committed.</summary>
    public static bool Apply(DecisionContext context)
    {
        var (heartbeat, checkpoint, _) = context.Observation.Progress;
        if (heartbeat is not null)
        {
            var progress = context.Status.Progress ??= new ProgressStatus();
            progress.Step = heartbeat.Step;
            progress.Tokens = heartbeat.Tokens;
            progress.Loss = heartbeat.Loss?.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
            progress.TokensPerSecond = heartbeat.TokensPerSecond is { } tps ? (long)tps : null;
            progress.LastHeartbeatTime = heartbeat.Time;
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
}
