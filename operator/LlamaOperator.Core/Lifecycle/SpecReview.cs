using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// What the lifecycle refuses in a spec, as one pure function: the validation problems (errors set SpecRejected,
/// reason InvalidSpec) and, for a job with a running stage, a spec that no longer has that stage (reason
/// RunningStageRemoved). The decider sets its conditions from these rules and the admission webhook refuses the same
/// specs at apply time, so a job `kubectl apply` accepts is a job the operator accepts.
/// </summary>
public static class SpecReview
{
    /// <summary>Every problem of <paramref name="job"/>'s spec; <paramref name="runningStage"/> is the stage the job runs (status.stage), null when none.</summary>
    public static IReadOnlyList<ValidationProblem> Problems(LlamaTrainingJob job, StageStatus? runningStage)
    {
        var problems = JobValidator.Validate(job).ToList();
        if (job.Spec is not null && RunningStageRemoved(job.Spec, runningStage) is { } removed)
        {
            problems.Add(removed);
        }

        return problems;
    }

    /// <summary>The problem of a spec whose stages no longer include the running stage (found by name); null when it does or none runs.</summary>
    public static ValidationProblem? RunningStageRemoved(LlamaTrainingJobSpec spec, StageStatus? runningStage) =>
        runningStage?.Name is { Length: > 0 } name && spec.Stages.All(s => s.Name != name)
            ? ValidationProblem.Error("spec.stages", $"spec.stages no longer has the running stage {name}; it is kept until it is restored")
            : null;
}
