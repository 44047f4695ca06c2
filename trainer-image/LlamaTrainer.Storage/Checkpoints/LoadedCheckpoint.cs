using System.Collections.Concurrent;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// A committed checkpoint opened for loading. Shard streams verify size and SHA-256 as they are read
/// and throw <see cref="CheckpointCorruptException"/> on the read that completes a bad shard.
/// </summary>
public sealed class LoadedCheckpoint
{
    private readonly IObjectStore _store;
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);

    internal LoadedCheckpoint(IObjectStore store, string folder, CheckpointManifest manifest)
    {
        _store = store;
        _folder = folder;
        Manifest = manifest;
    }

    public CheckpointManifest Manifest { get; }

    /// <summary>The checkpoint folder's location (no secrets), for logs and job status.</summary>
    public string Location => _store.Location.TrimEnd('/') + "/" + _folder;

    /// <summary>Opens a shard named in the manifest; the caller disposes the stream.</summary>
    public async Task<Stream> OpenShardAsync(string name, CancellationToken cancellationToken = default)
    {
        var digest = Manifest.Shards.FirstOrDefault(s => s.Name == name)
            ?? throw new ArgumentException($"checkpoint {Manifest.Id} has no shard '{name}'; it has: {string.Join(", ", Manifest.Shards.Select(s => s.Name))}", nameof(name));
        Stream raw;
        try
        {
            raw = await _store.OpenReadAsync(_folder + "/" + name, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw Corrupt(name, "is missing");
        }
        return new VerifyingReadStream(raw, digest, problem => Corrupt(name, problem), () => _verified[name] = true);
    }

    /// <summary>Reads to the end every shard no stream has fully verified yet (those a loader skipped or read only partly).</summary>
    internal Task VerifyRemainingAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Manifest.Shards.Where(s => !_verified.ContainsKey(s.Name)).Select(async shard =>
        {
            var buffer = new byte[1 << 20];
            await using var stream = await OpenShardAsync(shard.Name, cancellationToken);
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }));

    private CheckpointCorruptException Corrupt(string shard, string problem) => new(Location, Manifest.Id, shard, problem);
}
