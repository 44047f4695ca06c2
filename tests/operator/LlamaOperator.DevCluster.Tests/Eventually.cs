namespace LlamaOperator.DevCluster.Tests;

/// <summary>Polls a condition until it holds or the timeout passes (the cluster's controllers act asynchronously).</summary>
public static class Eventually
{
    public static async Task<T> Get<T>(Func<Task<T>> read, Func<T, bool> until, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        T value;
        while (true)
        {
            value = await read();
            if (until(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not reached: {what ?? "(unnamed)"}; last value: {value}");
            }
            await Task.Delay(30);
        }
    }
}
