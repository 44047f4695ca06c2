using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Everything Decide reads: the job as stored (spec, generation, deletionTimestamp, status), its resolved view
/// (null when the spec is invalid; Problems then says why), the children the cache holds, the progress read from
/// storage, and the time. The I/O shell builds it; Decide never reads anything else.
/// </summary>
public sealed record JobObservation(
    LlamaTrainingJob Job,
    ResolvedJob? Resolved,
    IReadOnlyList<ValidationProblem> Problems,
    ObservedChildren Children,
    ObservedProgress Progress,
    DateTime Now)
{
    /// <summary>
    /// Validates the job as the user wrote it (problems set SpecRejected) and resolves its effective form, the running
    /// stage pinned to the spec it was started with (see <see cref="RunningStagePin"/>).
    /// </summary>
    public static JobObservation Of(LlamaTrainingJob job, ObservedChildren children, ObservedProgress progress, DateTime now)
    {
        var problems = JobValidator.Validate(job);
        ResolvedJob? resolved = null;
        if (problems.All(p => p.Severity != Severity.Error))
        {
            try
            {
                resolved = JobResolver.Resolve(RunningStagePin.EffectiveJob(job));
            }
            catch (InvalidJobException)
            {
                resolved = JobResolver.Resolve(job); // a pinned spec the current rules refuse: fall back to the valid current one
            }
        }

        return new JobObservation(job, resolved, problems, children, progress, now);
    }
}
