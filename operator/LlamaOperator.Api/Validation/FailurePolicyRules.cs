using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>An exit code cannot be both retried and fatal.</summary>
internal static class FailurePolicyRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var policy = spec.FailurePolicy;
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
