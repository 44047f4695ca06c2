using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>
/// An exit code cannot be both retried and fatal. A collective timeout at or above the hang timeout is a warning:
/// the hang detection then restarts a stuck gang before its collective times out (reason Hang, not CollectiveTimeout).
/// </summary>
internal static class FailurePolicyRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var policy = spec.FailurePolicy;
        var collective = policy?.CollectiveTimeoutSeconds ?? JobDefaults.CollectiveTimeoutSeconds;
        var hang = policy?.HangTimeoutSeconds ?? JobDefaults.HangTimeoutSeconds;
        if (collective >= hang)
        {
            problems.Add(ValidationProblem.Warning(
                "spec.failurePolicy.collectiveTimeoutSeconds",
                $"expected less than hangTimeoutSeconds ({hang}), found {collective}: a stuck collective would be restarted as a Hang before it times out"));
        }

        if (policy?.RetryableExitCodes is not { } retryable)
        {
            return;
        }

        var fatal = policy.FatalExitCodes ?? JobDefaults.FatalExitCodes;
        var overlap = retryable.Intersect(fatal).Order().ToList();
        if (overlap.Count > 0)
        {
            problems.Add(ValidationProblem.Error(
                "spec.failurePolicy.retryableExitCodes",
                $"expected no code that is also fatal (fatalExitCodes: {string.Join(", ", fatal)}), found {string.Join(", ", overlap)} in both"));
        }
    }
}
