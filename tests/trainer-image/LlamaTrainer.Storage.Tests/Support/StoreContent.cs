namespace LlamaTrainer.Storage.Tests.Support;

/// <summary>Small helpers to put and get whole objects in tests.</summary>
public static class StoreContent
{
    public static async Task PutBytesAsync(this IObjectStore store, string key, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await store.PutAsync(key, content);
    }

    public static async Task<byte[]> GetBytesAsync(this IObjectStore store, string key)
    {
        await using var stream = await store.OpenReadAsync(key);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task<byte[]> GetRangeAsync(this IObjectStore store, string key, long offset, long length)
    {
        await using var stream = await store.OpenReadAsync(key, offset, length);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task<List<ObjectInfo>> ListAllAsync(this IObjectStore store, string prefix = "")
    {
        var found = new List<ObjectInfo>();
        await foreach (var info in store.ListAsync(prefix))
        {
            found.Add(info);
        }
        return found;
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
