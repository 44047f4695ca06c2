namespace LlamaTrainer.Storage;

/// <summary>
/// The rules every backend applies to keys, so that a key valid on one is valid on all:
/// '/'-separated relative segments, no '..' or '.' (a key must never escape the store root), no backslashes.
/// </summary>
public static class ObjectKey
{
    /// <summary>File names with this start are a local store's in-flight writes, so keys may not use it.</summary>
    public const string ReservedSegmentStart = ".~put-";

    /// <summary>Throws <see cref="ArgumentException"/> naming the key and the rule it breaks.</summary>
    public static void Validate(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0)
        {
            throw new ArgumentException("object key is empty; expected a relative '/'-separated path such as 'checkpoints/step-0000000100/model.bin'", paramName);
        }
        if (key.EndsWith('/'))
        {
            throw new ArgumentException($"object key '{key}' ends with '/'; expected an object name, not a folder", paramName);
        }
        ValidateSegments(key, key, paramName);
    }

    /// <summary>A prefix is empty or a run of valid segments, optionally ending with '/'.</summary>
    public static void ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length == 0)
        {
            return;
        }
        ValidateSegments(prefix.EndsWith('/') ? prefix[..^1] : prefix, prefix, paramName);
    }

    private static void ValidateSegments(string path, string original, string paramName)
    {
        if (path.StartsWith('/'))
        {
            throw new ArgumentException($"object key '{original}' is absolute; expected a path relative to the store root", paramName);
        }
        if (path.Contains('\\'))
        {
            throw new ArgumentException($"object key '{original}' contains '\\'; expected '/' as the only separator", paramName);
        }
        if (path.Any(char.IsControl))
        {
            throw new ArgumentException($"object key '{original}' contains a control character", paramName);
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                throw new ArgumentException($"object key '{original}' has an empty segment ('//' or a leading '/')", paramName);
            }
            if (segment is "." or "..")
            {
                throw new ArgumentException($"object key '{original}' contains a '{segment}' segment; keys may not leave or alias the store root", paramName);
            }
            if (segment.StartsWith(ReservedSegmentStart, StringComparison.Ordinal))
            {
                throw new ArgumentException($"object key '{original}' has a segment starting with '{ReservedSegmentStart}', which is reserved for in-flight writes", paramName);
            }
        }
    }
}
