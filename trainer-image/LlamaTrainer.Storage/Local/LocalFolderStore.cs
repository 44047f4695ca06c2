using System.Runtime.CompilerServices;

namespace LlamaTrainer.Storage.Local;

/// <summary>
/// An object store in a local (or shared, e.g. NFS) folder: a key is a relative file path.
/// Puts are atomic: the content goes to a temp file in the target folder, is fsynced, then renamed over the target,
/// so a reader sees the old object or the whole new one, never a torn one. The folder entry is not fsynced
/// (.NET has no portable way): after a power cut right after a put, the rename may be lost, never torn.
/// </summary>
public sealed class LocalFolderStore : IObjectStore
{
    private const int CopyBufferBytes = 1 << 20;

    public LocalFolderStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        Location = new Uri(Root).AbsoluteUri;
    }

    /// <summary>The absolute folder path.</summary>
    public string Root { get; }

    public string Location { get; }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $"{ObjectKey.ReservedSegmentStart}{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, CopyBufferBytes, cancellationToken);
                await file.FlushAsync(cancellationToken);
                // Durable before visible: the rename must not publish data still in the page cache.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, CopyBufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(Location, key);
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var file = await OpenReadAsync(key, cancellationToken);
        file.Seek(offset, SeekOrigin.Begin); // past the end is allowed: reads then return nothing
        return new BoundedReadStream(file, length);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(key)));

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidatePrefix(prefix);
        // Only the folder part of the prefix narrows the walk; the rest is a name filter.
        var lastSlash = prefix.LastIndexOf('/');
        var folder = lastSlash < 0 ? Root : Path.Combine(Root, prefix[..lastSlash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        var found = new List<ObjectInfo>();
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Name.StartsWith(ObjectKey.ReservedSegmentStart, StringComparison.Ordinal))
            {
                continue;
            }
            var key = Path.GetRelativePath(Root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(new ObjectInfo(key, file.Length));
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var info in found)
        {
            yield return info;
        }
        await Task.CompletedTask;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }
        RemoveEmptyFolders(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    // Blob storage has no folders; removing emptied ones keeps listings of both backends alike.
    private void RemoveEmptyFolders(string folder)
    {
        while (folder.Length > Root.Length && folder.StartsWith(Root, StringComparison.Ordinal))
        {
            try
            {
                if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }
                Directory.Delete(folder);
            }
            catch (IOException)
            {
                return; // a concurrent writer just used it
            }
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
