namespace LlamaOperator.Operator.Tests.Support;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds (effects cross the HTTP server and the operator's loop).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Reads until <paramref name="until"/> holds for what was read, and returns that.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what, double seconds = 15)
    {
        var value = default(T)!;
        await HoldsAsync(async () => until(value = await read()), what, seconds);
        return value;
    }

    public static Task HoldsAsync(Func<bool> condition, string what, double seconds = 15) =>
        HoldsAsync(() => Task.FromResult(condition()), what, seconds);
}
