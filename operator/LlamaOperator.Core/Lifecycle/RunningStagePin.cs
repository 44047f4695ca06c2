using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Keeps the running stage as it was started: the effective job is the job with the running stage's spec replaced by
/// status.stage.startedWith. Decide and the renderer work from it, so an edit of the running stage (say its layout)
/// never reaches its gang, not even on a restart, while edits of the other stages apply when they start.
/// </summary>
public static class RunningStagePin
{
    public static LlamaTrainingJob EffectiveJob(LlamaTrainingJob job) => EffectiveJob(job, job.Status?.Stage);

    /// <summary>The job with <paramref name="running"/>'s stage pinned to the spec it was started with.</summary>
    public static LlamaTrainingJob EffectiveJob(LlamaTrainingJob job, StageStatus? running)
    {
        var started = running?.StartedWith;
        var index = started is null ? -1 : job.Spec.Stages.FindIndex(s => s.Name == started.Name);
        if (index < 0 || ApiJson.Serialize(job.Spec.Stages[index]) == ApiJson.Serialize(started))
        {
            return job;
        }

        var effective = Clone(job);
        effective.Spec.Stages[index] = Clone(started!);
        return effective;
    }

    internal static T Clone<T>(T value) => ApiJson.Deserialize<T>(ApiJson.Serialize(value))!;
}
