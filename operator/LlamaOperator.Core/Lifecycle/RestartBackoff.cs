using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>Delay before the n-th consecutive gang restart: backoffSeconds doubling per restart, capped at maxBackoffSeconds; none for n = 0.</summary>
public static class RestartBackoff
{
    public static TimeSpan Delay(ResolvedFailurePolicy policy, int consecutive)
    {
        if (consecutive <= 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = (double)policy.BackoffSeconds * Math.Pow(2, Math.Min(consecutive - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, policy.MaxBackoffSeconds));
    }
}
