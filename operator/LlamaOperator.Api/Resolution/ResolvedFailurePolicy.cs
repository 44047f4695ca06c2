namespace LlamaOperator.Api.Resolution;

/// <summary>Failure handling with defaults; RetryableExitCodes null means every non-zero, non-fatal code.</summary>
public sealed record ResolvedFailurePolicy(
    int MaxRestarts,
    int BackoffSeconds,
    int MaxBackoffSeconds,
    int HangTimeoutSeconds,
    int CollectiveTimeoutSeconds,
    IReadOnlyList<int>? RetryableExitCodes,
    IReadOnlyList<int> FatalExitCodes)
{
    public bool IsFatal(int exitCode) => FatalExitCodes.Contains(exitCode);

    public bool IsRetryable(int exitCode) =>
        exitCode != 0 && !IsFatal(exitCode) && (RetryableExitCodes is null || RetryableExitCodes.Contains(exitCode));
}
