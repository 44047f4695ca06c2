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
    DateTime Now);
