using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Everything Decide reads: the job as stored (spec, generation, deletionTimestamp, status), its effective form (the
/// job that Resolved was resolved from and the stage objects are rendered from), its resolved view (null when the
/// spec is invalid; Problems then says why), the children the cache holds, the progress read from storage, and the
/// time. The I/O shell builds it; Decide never reads anything else.
/// </summary>
public sealed record JobObservation(
    LlamaTrainingJob Job,
    LlamaTrainingJob Effective,
    ResolvedJob? Resolved,
    IReadOnlyList<ValidationProblem> Problems,
    ObservedChildren Children,
    ObservedProgress Progress,
    DateTime Now)
{
    /// <summary>
    /// Validates the job as the user wrote it (problems set SpecRejected) and resolves its effective form, the running
    /// stage pinned to the spec it was started with (see <see cref="RunningStagePin"/>), once per observation.
    /// </summary>
    public static JobObservation Of(LlamaTrainingJob job, ObservedChildren children, ObservedProgress progress, DateTime now)
    {
        var problems = JobValidator.Validate(job);
        var effective = job;
        ResolvedJob? resolved = null;
        if (problems.All(p => p.Severity != Severity.Error))
        {
            try
            {
                effective = RunningStagePin.EffectiveJob(job);
                resolved = JobResolver.Resolve(effective);
            }
            catch (InvalidJobException)
            {
                effective = job; // a pinned spec the current rules refuse: fall back to the valid current one
                resolved = JobResolver.Resolve(job);
            }
        }

        return new JobObservation(job, effective, resolved, problems, children, progress, now);
    }
}
