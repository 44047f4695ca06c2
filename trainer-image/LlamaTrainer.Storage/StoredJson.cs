using System.Text.Json;

namespace LlamaTrainer.Storage;

/// <summary>The JSON dialect of every small document in a store (manifests, heartbeat): camelCase, enums by name.</summary>
public static class StoredJson
{
    /// <summary>Options backed by <see cref="StoredJsonContext"/>: only the stored document types are known.</summary>
    public static JsonSerializerOptions Options => StoredJsonContext.Default.Options;

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Parses a document; a malformed one throws <see cref="InvalidDataException"/> naming where it is and what is wrong.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> json, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new InvalidDataException($"{where}: document is 'null'; expected a {typeof(T).Name} object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where}: not a valid {typeof(T).Name} document: {e.Message}", e);
        }
    }

    /// <summary>Reads and parses an object; null when it does not exist.</summary>
    public static async Task<T?> ReadAsync<T>(IObjectStore store, string key, CancellationToken cancellationToken)
        where T : class
    {
        byte[] bytes;
        try
        {
            await using var stream = await store.OpenReadAsync(key, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
        return Deserialize<T>(bytes, $"{store.Location}/{key}");
    }

    public static async Task WriteAsync<T>(IObjectStore store, string key, T value, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(Serialize(value), writable: false);
        await store.PutAsync(key, content, cancellationToken);
    }
}
