namespace LlamaOperator.Runtime.Tests;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds (for effects that cross the HTTP server).</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
