using System.Buffers;
using System.Collections.Concurrent;
using LlamaTrainer.Storage.Checkpoints.Tensors;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// A committed checkpoint opened for loading. Shard streams verify size and SHA-256 as they are read
/// and throw <see cref="CheckpointCorruptException"/> on the read that completes a bad shard. A format-2 checkpoint
/// also has its <see cref="Tensors"/> index, from which <see cref="ReadRegionAsync"/> reads any slice of a tensor.
/// </summary>
public sealed class LoadedCheckpoint
{
    private const int ReadBufferBytes = 1 << 20;

    private readonly IObjectStore _store;
    private readonly string _folder;
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);

    internal LoadedCheckpoint(IObjectStore store, string folder, CheckpointManifest manifest, TensorIndex? tensors = null)
    {
        _store = store;
        _folder = folder;
        Manifest = manifest;
        Tensors = tensors;
    }

    public CheckpointManifest Manifest { get; }

    /// <summary>Every tensor and where its pieces are (format 2, verified and validated at open); null for a format-1 checkpoint.</summary>
    public TensorIndex? Tensors { get; }

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

    /// <summary>
    /// Reads <paramref name="wanted"/> of a tensor into <paramref name="destination"/> (row-major in the wanted region's
    /// shape, exactly its bytes), reading only the pieces that share elements with it, each whole, by a ranged read,
    /// checked against its SHA-256. A bad piece throws <see cref="CheckpointCorruptException"/> naming the shard, the
    /// tensor and the piece; the destination then holds partial data.
    /// </summary>
    public async Task ReadRegionAsync(string tensorName, TensorRegion wanted, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        var index = Tensors ?? throw new InvalidOperationException(
            $"checkpoint {Manifest.Id} at {Location} is format {Manifest.FormatVersion}: it has no tensor index; read its shards with {nameof(OpenShardAsync)}");
        var tensor = index.Find(tensorName);
        if (wanted.FindProblem(tensor.Shape) is { } problem)
        {
            throw new ArgumentException($"tensor '{tensorName}': {problem}", nameof(wanted));
        }
        var expected = wanted.ElementCount * tensor.Type.SizeOf();
        if (destination.Length != expected)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes; region {wanted} of tensor '{tensorName}' ({tensor.Type}) needs {expected}", nameof(destination));
        }
        var needed = Enumerable.Range(0, tensor.Pieces.Count).Where(i => tensor.Pieces[i].Region.Intersect(wanted) is not null);
        await Task.WhenAll(needed.Select(i => ReadPieceAsync(tensor, i, wanted, destination, cancellationToken)));
    }

    /// <summary>
    /// Reads to the end every shard no stream has fully verified yet (those a loader skipped or read only partly). With
    /// <paramref name="includeTensorShards"/> false, shards holding tensor pieces are left out: each rank verifies the
    /// pieces it reads, and reading the other ranks' shards would cost every rank the whole checkpoint.
    /// </summary>
    internal Task VerifyRemainingAsync(bool includeTensorShards, CancellationToken cancellationToken)
    {
        var tensorShards = includeTensorShards || Tensors is null
            ? []
            : Tensors.Tensors.SelectMany(t => t.Pieces).Select(p => p.Shard).ToHashSet(StringComparer.Ordinal);
        return Task.WhenAll(Manifest.Shards.Where(s => !_verified.ContainsKey(s.Name) && !tensorShards.Contains(s.Name)).Select(async shard =>
        {
            var buffer = new byte[ReadBufferBytes];
            await using var stream = await OpenShardAsync(shard.Name, cancellationToken);
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }));
    }

    /// <summary>Streams one piece through its digest check, copying the parts inside <paramref name="wanted"/> as they arrive.</summary>
    private async Task ReadPieceAsync(StoredTensor tensor, int index, TensorRegion wanted, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var piece = tensor.Pieces[index];
        CheckpointCorruptException PieceCorrupt(string problem) =>
            new(Location, Manifest.Id, piece.Shard, $"piece {index} of tensor '{tensor.Name}' (region {piece.Region}, {piece.Bytes} bytes at offset {piece.Offset}) {problem}", tensor.Name);
        Stream raw;
        try
        {
            raw = await _store.OpenReadAsync(_folder + "/" + piece.Shard, piece.Offset, piece.Bytes, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw PieceCorrupt("is missing: the shard is gone");
        }
        await using var stream = new VerifyingReadStream(raw, new ShardDigest(piece.Shard, piece.Bytes, piece.Sha256), PieceCorrupt, () => { }, TensorIndex.FileName);
        using var runs = RegionCopy.Runs(piece.Region, wanted, tensor.Type.SizeOf()).GetEnumerator();
        var hasRun = runs.MoveNext();
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            long position = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(0, ReadBufferBytes), cancellationToken)) > 0)
            {
                hasRun = CopyRuns(buffer.AsSpan(0, n), position, runs, hasRun, destination.Span);
                position += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the parts of the runs that fall in this chunk (piece bytes from <paramref name="position"/>); returns whether runs remain.</summary>
    private static bool CopyRuns(ReadOnlySpan<byte> chunk, long position, IEnumerator<ByteRun> runs, bool hasRun, Span<byte> destination)
    {
        var chunkEnd = position + chunk.Length;
        while (hasRun && runs.Current.SourceOffset < chunkEnd)
        {
            var run = runs.Current;
            var from = Math.Max(run.SourceOffset, position);
            var to = Math.Min(run.SourceOffset + run.Bytes, chunkEnd);
            chunk[(int)(from - position)..(int)(to - position)].CopyTo(destination[(int)(run.TargetOffset + from - run.SourceOffset)..]);
            if (to < run.SourceOffset + run.Bytes)
            {
                return true; // the run goes on in the next chunk
            }
            hasRun = runs.MoveNext();
        }
        return hasRun;
    }

    private CheckpointCorruptException Corrupt(string shard, string problem) => new(Location, Manifest.Id, shard, problem);
}
