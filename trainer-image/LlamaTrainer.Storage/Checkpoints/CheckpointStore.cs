using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using LlamaTrainer.Storage.Checkpoints.Tensors;
using Serilog;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// Checkpoints in a store, one folder per checkpoint under a root folder ('checkpoints', or 'final' for the averaged model):
/// <c>ROOT/step-0000001000/{shards..., manifest.json}</c>. The manifest is written last and deleted first,
/// so a checkpoint exists exactly when its manifest does; a crash mid-write leaves nothing a reader would take.
/// Format 1 has opaque shards (<see cref="CommitAsync"/>); format 2 has one shard per rank plus tensors.json, so that
/// ranks of any layout read just their slices (<see cref="BeginAsync"/>, <see cref="WriteRankShardAsync"/>, CommitManifestAsync).
/// </summary>
public sealed class CheckpointStore
{
    public const string CheckpointsFolder = "checkpoints";
    public const string FinalFolder = "final";
    public const string ManifestName = "manifest.json";

    // Bounds the bytes a slow upload lets the writer run ahead.
    private static readonly PipeOptions ShardPipe = new(pauseWriterThreshold: 16 << 20, resumeWriterThreshold: 8 << 20, useSynchronizationContext: false);

    private readonly IObjectStore _store;
    private readonly string _root;
    private readonly ILogger _log;

    /// <param name="store">The job's store (its root holds heartbeat.json, checkpoints/ and final/).</param>
    /// <param name="root">The folder the checkpoints live in: <see cref="CheckpointsFolder"/> or <see cref="FinalFolder"/>.</param>
    public CheckpointStore(IObjectStore store, string root = CheckpointsFolder, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ObjectKey.Validate(root, nameof(root));
        _store = store;
        _root = root;
        _log = (logger ?? Log.Logger).ForContext<CheckpointStore>();
    }

    /// <summary>Location of the root folder (no secrets).</summary>
    public string Location => _store.Location.TrimEnd('/') + "/" + _root;

    /// <summary>Location of one checkpoint's folder, as the operator shows it in job status.</summary>
    public string LocationOf(string id) => Location + "/" + id;

    /// <summary>
    /// Writes the shards (streamed and hashed on the way, in parallel), then the manifest, which commits the checkpoint
    /// in format 1 (opaque shards). The manifest's Id, Shards and (if default) CreatedAt are filled in here. An earlier
    /// checkpoint with the same step (a retried attempt) is un-committed first. Returns the committed manifest.
    /// One process's <see cref="BeginAsync"/> and <see cref="CommitManifestAsync(CheckpointManifest, IReadOnlyList{ShardDigest}, TensorIndex?, IReadOnlyList{CheckpointShard}, CancellationToken)"/>.
    /// </summary>
    public async Task<CheckpointManifest> CommitAsync(CheckpointManifest draft, IReadOnlyList<CheckpointShard> shards, CancellationToken cancellationToken = default)
    {
        ValidateCommit(draft, [], null, shards);
        await BeginAsync(draft.Step, cancellationToken);
        return await CommitManifestAsync(draft, [], null, shards, cancellationToken);
    }

    /// <summary>
    /// Starts writing the checkpoint of <paramref name="step"/>: un-commits an earlier one with that step (deletes its
    /// manifest), so that shards written over its shards are never read under its manifest. In a multi-process job rank
    /// 0 calls it, and the others write their shards only after it returned. Returns the checkpoint's id.
    /// </summary>
    public async Task<string> BeginAsync(long step, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var id = CheckpointId.ForStep(step);
        await _store.DeleteAsync(ManifestKey(id), cancellationToken);
        return id;
    }

    /// <summary>
    /// Streams one rank's pieces, in order, into its shard object <see cref="RankShard.ShardName"/> of checkpoint
    /// <paramref name="id"/> (from <see cref="BeginAsync"/>), hashing each piece and the whole shard on the way. Pieces
    /// with an empty region are not stored (the rank owns nothing of that tensor) but their tensor is still reported.
    /// Returns what rank 0 needs for <see cref="CommitManifestAsync(CheckpointManifest, IReadOnlyList{RankShard}, IReadOnlyList{CheckpointShard}, CancellationToken)"/>.
    /// </summary>
    public async Task<RankShard> WriteRankShardAsync(string id, int rank, IEnumerable<TensorPieceSource> pieces, CancellationToken cancellationToken = default)
    {
        RequireId(id);
        ArgumentNullException.ThrowIfNull(pieces);
        var shardName = RankShard.ShardName(rank);
        var sources = pieces.ToList();
        var tensors = GroupByTensor(rank, sources);
        var stored = sources.Select(_ => (StoredPiece?)null).ToArray();
        var digest = await WriteShardAsync(id, new CheckpointShard(shardName, async (stream, ct) =>
        {
            long offset = 0;
            for (var i = 0; i < sources.Count; i++)
            {
                var source = sources[i];
                var bytes = source.Region.ElementCount * source.Type.SizeOf();
                if (bytes == 0)
                {
                    continue;
                }
                string sha256;
                await using (var piece = new PieceHashingStream(stream))
                {
                    await source.WriteAsync(piece, ct);
                    if (piece.Bytes != bytes)
                    {
                        throw new InvalidOperationException(
                            $"rank {rank}: the writer of tensor '{source.Tensor}' region {source.Region} wrote {piece.Bytes} bytes; {source.Region.ElementCount} elements of {source.Type} are {bytes}");
                    }
                    sha256 = piece.Sha256();
                }
                stored[i] = new StoredPiece(shardName, offset, bytes, source.Region, sha256);
                offset += bytes;
            }
        }), cancellationToken);
        var written = tensors
            .Select(t => t.Tensor with { Pieces = [.. t.Sources.Select(i => stored[i]).OfType<StoredPiece>()] })
            .ToList();
        _log.Information("Wrote rank {Rank}'s shard of checkpoint {CheckpointId}: {Pieces} pieces of {Tensors} tensors, {Bytes} bytes",
            rank, id, stored.Count(p => p is not null), written.Count, digest.Bytes);
        return new RankShard(rank, digest, written);
    }

    /// <summary>
    /// Rank 0's commit of a format-2 checkpoint after every rank's <see cref="WriteRankShardAsync"/>: merges the ranks'
    /// pieces into the tensor index and commits it (see the other overload).
    /// </summary>
    public Task<CheckpointManifest> CommitManifestAsync(CheckpointManifest draft, IReadOnlyList<RankShard> ranks, IReadOnlyList<CheckpointShard> smallShards, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        if (ranks.Count == 0)
        {
            throw new ArgumentException("no rank shards; a format-2 checkpoint needs the shard of every rank", nameof(ranks));
        }
        return CommitManifestAsync(draft, [.. ranks.Select(r => r.Shard)], TensorIndex.FromRanks(ranks), smallShards, cancellationToken);
    }

    /// <summary>
    /// Commits a checkpoint whose shards <paramref name="written"/> are already in its folder (checked by one listing):
    /// writes <paramref name="smallShards"/> (e.g. trainer-state.json), then <see cref="TensorIndex.FileName"/> when
    /// <paramref name="tensors"/> is given (format 2; without it, format 1), then the manifest, last. The manifest's Id,
    /// FormatVersion, Shards and (if default) CreatedAt are filled in here. Returns the committed manifest.
    /// </summary>
    public async Task<CheckpointManifest> CommitManifestAsync(
        CheckpointManifest draft, IReadOnlyList<ShardDigest> written, TensorIndex? tensors, IReadOnlyList<CheckpointShard> smallShards, CancellationToken cancellationToken = default)
    {
        ValidateCommit(draft, written, tensors, smallShards);
        var id = CheckpointId.ForStep(draft.Step);
        await RequireWrittenAsync(id, written, cancellationToken);
        var digests = new List<ShardDigest>(written);
        digests.AddRange(await WriteShardsAsync(id, smallShards, cancellationToken));
        if (tensors is not null)
        {
            var json = StoredJson.Serialize(tensors);
            digests.Add(await WriteShardAsync(id, new CheckpointShard(TensorIndex.FileName, (stream, ct) => stream.WriteAsync(json, ct).AsTask()), cancellationToken));
        }
        var manifest = draft with
        {
            FormatVersion = tensors is null ? CheckpointManifest.OpaqueShardsFormatVersion : CheckpointManifest.CurrentFormatVersion,
            Id = id,
            Shards = digests,
            CreatedAt = draft.CreatedAt == default ? DateTime.UtcNow : draft.CreatedAt.ToUniversalTime(),
        };
        await StoredJson.WriteAsync(_store, ManifestKey(id), manifest, cancellationToken);
        _log.Information("Committed checkpoint {CheckpointId} (format {FormatVersion}, {Bytes} bytes in {ShardCount} shards) at {Location}",
            id, manifest.FormatVersion, digests.Sum(d => d.Bytes), digests.Count, LocationOf(id));
        return manifest;
    }

    /// <summary>Committed checkpoints, newest (highest step) first. Folders without a readable manifest are skipped.</summary>
    public async Task<IReadOnlyList<CheckpointManifest>> ListCommittedAsync(CancellationToken cancellationToken = default)
    {
        var folders = await ListFoldersAsync(cancellationToken);
        return await ReadCommittedAsync(folders, cancellationToken);
    }

    /// <summary>The newest committed manifest without reading the others (what the operator polls); null if none.</summary>
    public async Task<CheckpointManifest?> NewestCommittedAsync(CancellationToken cancellationToken = default)
    {
        var folders = await ListFoldersAsync(cancellationToken);
        foreach (var folder in folders.Where(f => f.HasManifest))
        {
            if (await TryReadManifestAsync(folder.Id, cancellationToken) is { } manifest)
            {
                return manifest;
            }
        }
        return null;
    }

    /// <summary>
    /// The newest checkpoint whose shards all verify (present, size, SHA-256), reading every shard once to check it;
    /// a bad one is logged (naming checkpoint and shard) and the previous one tried. Null if none is usable.
    /// Loading then reads the shards again: <see cref="LoadNewestValidAsync"/> reads them only once.
    /// </summary>
    public async Task<LoadedCheckpoint?> OpenNewestValidAsync(CancellationToken cancellationToken = default)
    {
        foreach (var manifest in await ListCommittedAsync(cancellationToken))
        {
            try
            {
                var loaded = await OpenForStreamingAsync(manifest, cancellationToken);
                await loaded.VerifyRemainingAsync(includeTensorShards: true, cancellationToken);
                return loaded;
            }
            catch (CheckpointCorruptException e)
            {
                LogFallback(e);
            }
        }
        return null;
    }

    /// <summary>
    /// Loads the newest usable checkpoint reading each shard once: <paramref name="load"/> reads shards through
    /// verifying streams; shards it skipped are verified afterwards. If any shard is missing or corrupt (also when
    /// found mid-load) the problem is logged and <paramref name="load"/> runs again with the previous checkpoint,
    /// so it must overwrite all the state it restores. Returns the manifest loaded, or null if none is usable.
    /// In format 2 the rank shards are not read afterwards: <see cref="LoadedCheckpoint.ReadRegionAsync"/> verifies
    /// each piece it reads, so a rank reads only its own slices (plus the manifest, tensors.json and the small shards).
    /// </summary>
    public async Task<CheckpointManifest?> LoadNewestValidAsync(Func<LoadedCheckpoint, CancellationToken, Task> load, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(load);
        foreach (var manifest in await ListCommittedAsync(cancellationToken))
        {
            try
            {
                var loaded = await OpenForStreamingAsync(manifest, cancellationToken);
                await load(loaded, cancellationToken);
                await loaded.VerifyRemainingAsync(includeTensorShards: false, cancellationToken);
                return manifest;
            }
            catch (Exception e) when (FindCorruption(e) is { } corrupt)
            {
                LogFallback(corrupt);
            }
        }
        return null;
    }

    /// <summary>Opens a checkpoint after verifying every shard (one full read); throws <see cref="CheckpointCorruptException"/> naming a bad shard.</summary>
    public async Task<LoadedCheckpoint> OpenAsync(string id, CancellationToken cancellationToken = default)
    {
        var loaded = await OpenForStreamingAsync(await ReadManifestAsync(id, cancellationToken), cancellationToken);
        await loaded.VerifyRemainingAsync(includeTensorShards: true, cancellationToken);
        return loaded;
    }

    /// <summary>
    /// Opens a checkpoint after checking only that its shards exist with the right sizes; SHA-256 is checked as each
    /// shard (or tensor piece) is read (e.g. to average many checkpoints without reading each twice). A format-2
    /// checkpoint's tensors.json is read, checked against its digest and validated here.
    /// </summary>
    public async Task<LoadedCheckpoint> OpenForStreamingAsync(string id, CancellationToken cancellationToken = default) =>
        await OpenForStreamingAsync(await ReadManifestAsync(id, cancellationToken), cancellationToken);

    /// <summary>
    /// Keeps the newest <paramref name="keep"/> committed checkpoints and every stage-end one; deletes the others
    /// (manifest first, so a half-deleted checkpoint is never taken for committed), and deletes uncommitted
    /// leftovers older than the newest committed checkpoint (newer ones may be a write in progress).
    /// </summary>
    public async Task PruneAsync(int keep, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var folders = await ListFoldersAsync(cancellationToken);
        var committed = await ReadCommittedAsync(folders, cancellationToken);
        if (committed.Count == 0)
        {
            return;
        }
        var kept = committed.Take(keep).Concat(committed.Where(m => m.StageEnd)).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var committedIds = committed.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var newestStep = committed[0].Step;
        foreach (var folder in folders)
        {
            if (kept.Contains(folder.Id))
            {
                continue;
            }
            if (committedIds.Contains(folder.Id))
            {
                await _store.DeleteAsync(ManifestKey(folder.Id), cancellationToken);
                await DeleteAllAsync(folder, cancellationToken);
                _log.Information("Pruned checkpoint {CheckpointId} at {Location}", folder.Id, LocationOf(folder.Id));
            }
            else if (folder.Step < newestStep)
            {
                await DeleteAllAsync(folder, cancellationToken);
                _log.Information("Removed uncommitted leftover {CheckpointId} at {Location}", folder.Id, LocationOf(folder.Id));
            }
        }
    }

    private async Task<LoadedCheckpoint> OpenForStreamingAsync(CheckpointManifest manifest, CancellationToken cancellationToken)
    {
        var loaded = new LoadedCheckpoint(_store, FolderKey(manifest.Id), manifest);
        var sizes = await ListSizesAsync(manifest.Id, cancellationToken);
        foreach (var shard in manifest.Shards)
        {
            if (!sizes.TryGetValue(shard.Name, out var size))
            {
                throw new CheckpointCorruptException(loaded.Location, manifest.Id, shard.Name, "is missing");
            }
            if (size != shard.Bytes)
            {
                throw new CheckpointCorruptException(loaded.Location, manifest.Id, shard.Name, $"has {size} bytes; the manifest says {shard.Bytes}");
            }
        }
        return manifest.FormatVersion < CheckpointManifest.CurrentFormatVersion
            ? loaded
            : new LoadedCheckpoint(_store, FolderKey(manifest.Id), manifest, await ReadTensorIndexAsync(loaded, cancellationToken));
    }

    /// <summary>Reads tensors.json through its digest check and validates it against the manifest's shards.</summary>
    private static async Task<TensorIndex> ReadTensorIndexAsync(LoadedCheckpoint loaded, CancellationToken cancellationToken)
    {
        byte[] json;
        await using (var stream = await loaded.OpenShardAsync(TensorIndex.FileName, cancellationToken))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            json = buffer.ToArray();
        }
        CheckpointCorruptException Corrupt(string problem) => new(loaded.Location, loaded.Manifest.Id, TensorIndex.FileName, problem);
        TensorIndex index;
        try
        {
            index = StoredJson.Deserialize<TensorIndex>(json, loaded.Location + "/" + TensorIndex.FileName);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt("is not a tensor index: " + e.Message);
        }
        var sizes = loaded.Manifest.Shards.ToDictionary(s => s.Name, s => s.Bytes, StringComparer.Ordinal);
        if (index.FindProblem(sizes) is { } problem)
        {
            throw Corrupt("is not a usable index: " + problem);
        }
        return index;
    }

    /// <summary>Writes shards in parallel; the first failure cancels the others, since their checkpoint is lost anyway.</summary>
    private async Task<ShardDigest[]> WriteShardsAsync(string id, IReadOnlyList<CheckpointShard> shards, CancellationToken cancellationToken)
    {
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        return await Task.WhenAll(shards.Select(async shard =>
        {
            try
            {
                return await WriteShardAsync(id, shard, failFast.Token);
            }
            catch
            {
                await failFast.CancelAsync();
                throw;
            }
        }));
    }

    /// <summary>Checks, by one listing, that the shards other processes reported are there with their sizes, so a manifest never names a shard that failed.</summary>
    private async Task RequireWrittenAsync(string id, IReadOnlyList<ShardDigest> written, CancellationToken cancellationToken)
    {
        if (written.Count == 0)
        {
            return;
        }
        var sizes = await ListSizesAsync(id, cancellationToken);
        foreach (var shard in written)
        {
            if (!sizes.TryGetValue(shard.Name, out var size) || size != shard.Bytes)
            {
                throw new InvalidOperationException(
                    $"checkpoint {id} at {LocationOf(id)}: shard '{shard.Name}' was reported with {shard.Bytes} bytes but {(sizes.ContainsKey(shard.Name) ? $"has {size}" : "is missing")}; not committing");
            }
        }
    }

    /// <summary>A rank's pieces grouped by tensor (first appearance first), after checking each piece and that a tensor's pieces agree on its type and shape.</summary>
    private static List<(StoredTensor Tensor, List<int> Sources)> GroupByTensor(int rank, List<TensorPieceSource> sources)
    {
        var tensors = new List<(StoredTensor Tensor, List<int> Sources)>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i] ?? throw new ArgumentException($"rank {rank}: piece {i} is null", nameof(sources));
            if (source.FindProblem() is { } problem)
            {
                throw new ArgumentException($"rank {rank}: piece {i}: {problem}", nameof(sources));
            }
            if (!byName.TryGetValue(source.Tensor, out var slot))
            {
                byName[source.Tensor] = slot = tensors.Count;
                tensors.Add((new StoredTensor(source.Tensor, source.Type, [.. source.Shape], []), []));
            }
            var tensor = tensors[slot].Tensor;
            if (tensor.Type != source.Type || !tensor.Shape.SequenceEqual(source.Shape))
            {
                throw new ArgumentException(
                    $"rank {rank}: piece {i} of tensor '{source.Tensor}' is {source.Type} {TensorRegion.Format(source.Shape)}; an earlier piece says {tensor.Type} {TensorRegion.Format(tensor.Shape)}",
                    nameof(sources));
            }
            tensors[slot].Sources.Add(i);
        }
        return tensors;
    }

    /// <summary>Sizes of the objects in a checkpoint folder, by name.</summary>
    private async Task<Dictionary<string, long>> ListSizesAsync(string id, CancellationToken cancellationToken)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var info in _store.ListAsync(FolderKey(id) + "/", cancellationToken))
        {
            sizes[info.Key[(FolderKey(id).Length + 1)..]] = info.Size;
        }
        return sizes;
    }

    private async Task<ShardDigest> WriteShardAsync(string id, CheckpointShard shard, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(ShardPipe);
        var produce = Task.Run(async () =>
        {
            try
            {
                await using (var writer = new ShardWriteStream(pipe.Writer, abort.Token))
                {
                    await shard.WriteAsync(writer, abort.Token);
                    await writer.FlushAsync(abort.Token);
                }
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e); // fails the upload's next read, so nothing half-written gets committed
                throw;
            }
        }, CancellationToken.None);
        await using var digesting = new DigestingReadStream(pipe.Reader.AsStream(leaveOpen: true));
        try
        {
            await _store.PutAsync(FolderKey(id) + "/" + shard.Name, digesting, abort.Token);
        }
        catch
        {
            await abort.CancelAsync();
            await pipe.Reader.CompleteAsync(); // unblocks a writer waiting for room
            await Task.WhenAny(produce, Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None));
            if (produce is { IsFaulted: true, Exception.InnerException: { } writerError and not OperationCanceledException })
            {
                ExceptionDispatchInfo.Throw(writerError); // the writer's own error is the cause
            }
            throw;
        }
        await produce;
        await pipe.Reader.CompleteAsync();
        var (bytes, sha256) = digesting.Digest;
        return new ShardDigest(shard.Name, bytes, sha256);
    }

    private async Task<IReadOnlyList<CheckpointManifest>> ReadCommittedAsync(IReadOnlyList<CheckpointFolder> folders, CancellationToken cancellationToken)
    {
        var manifests = new List<CheckpointManifest>();
        foreach (var folder in folders.Where(f => f.HasManifest))
        {
            if (await TryReadManifestAsync(folder.Id, cancellationToken) is { } manifest)
            {
                manifests.Add(manifest);
            }
        }
        return manifests;
    }

    /// <summary>Checkpoint folders (by id, newest first) with their objects, from one listing.</summary>
    private async Task<IReadOnlyList<CheckpointFolder>> ListFoldersAsync(CancellationToken cancellationToken)
    {
        var byId = new Dictionary<string, (long Step, List<string> Keys)>(StringComparer.Ordinal);
        await foreach (var info in _store.ListAsync(_root + "/", cancellationToken))
        {
            var rest = info.Key[(_root.Length + 1)..];
            var slash = rest.IndexOf('/');
            if (slash <= 0 || !CheckpointId.TryParseStep(rest[..slash], out var step))
            {
                continue; // not ours
            }
            var id = rest[..slash];
            if (!byId.TryGetValue(id, out var folder))
            {
                byId[id] = folder = (step, []);
            }
            folder.Keys.Add(info.Key);
        }
        return byId
            .Select(kv => new CheckpointFolder(kv.Key, kv.Value.Step, kv.Value.Keys, kv.Value.Keys.Contains(ManifestKey(kv.Key), StringComparer.Ordinal)))
            .OrderByDescending(f => f.Step)
            .ToList();
    }

    private async Task<CheckpointManifest?> TryReadManifestAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadManifestAsync(id, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            _log.Warning("Ignoring checkpoint {CheckpointId} at {Location}: {Problem}", id, LocationOf(id), e.Message);
            return null;
        }
        catch (ObjectNotFoundException)
        {
            return null; // deleted by a concurrent prune
        }
    }

    private async Task<CheckpointManifest> ReadManifestAsync(string id, CancellationToken cancellationToken)
    {
        RequireId(id);
        var where = $"{_store.Location.TrimEnd('/')}/{ManifestKey(id)}";
        var manifest = await StoredJson.ReadAsync<CheckpointManifest>(_store, ManifestKey(id), cancellationToken)
            ?? throw new ObjectNotFoundException(_store.Location, ManifestKey(id));
        if (manifest.FormatVersion > CheckpointManifest.CurrentFormatVersion)
        {
            throw new InvalidDataException($"{where}: formatVersion {manifest.FormatVersion} is newer than this reader's {CheckpointManifest.CurrentFormatVersion}");
        }
        if (manifest.Id != id)
        {
            throw new InvalidDataException($"{where}: id is '{manifest.Id}'; expected '{id}', its folder's name");
        }
        if (manifest.FormatVersion >= CheckpointManifest.CurrentFormatVersion && manifest.Shards.All(s => s.Name != TensorIndex.FileName))
        {
            throw new InvalidDataException($"{where}: formatVersion {manifest.FormatVersion} needs a shard '{TensorIndex.FileName}'; the manifest lists none");
        }
        if (manifest.Shards.Count == 0)
        {
            throw new InvalidDataException($"{where}: shards is empty; expected at least one shard");
        }
        foreach (var shard in manifest.Shards)
        {
            if (!IsShardName(shard.Name) || shard.Bytes < 0 || shard.Sha256.Length != 64)
            {
                throw new InvalidDataException($"{where}: shard '{shard.Name}' is invalid; expected a file name, bytes >= 0 and a 64-hex-digit sha256");
            }
        }
        return manifest;
    }

    private static void ValidateCommit(CheckpointManifest draft, IReadOnlyList<ShardDigest> written, TensorIndex? tensors, IReadOnlyList<CheckpointShard> smallShards)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(smallShards);
        if (draft.Step < 0)
        {
            throw new ArgumentException($"step is {draft.Step}; expected >= 0", nameof(draft));
        }
        if (string.IsNullOrWhiteSpace(draft.Stage))
        {
            throw new ArgumentException("stage is empty; expected the stage's name", nameof(draft));
        }
        if (draft.Layout?.FindProblem() is { } layoutProblem)
        {
            throw new ArgumentException(layoutProblem, nameof(draft));
        }
        if (tensors is null && written.Count == 0 && smallShards.Count == 0)
        {
            throw new ArgumentException("no shards; a checkpoint needs at least one", nameof(smallShards));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in written.Select(s => s.Name).Concat(smallShards.Select(s => s.Name)))
        {
            if (!IsShardName(name))
            {
                throw new ArgumentException($"shard name '{name}' is invalid; expected a plain file name (no '/'), not '{ManifestName}'", nameof(smallShards));
            }
            if (name == TensorIndex.FileName)
            {
                throw new ArgumentException($"shard name '{name}' is reserved for the tensor index", nameof(smallShards));
            }
            if (!seen.Add(name))
            {
                throw new ArgumentException($"shard name '{name}' appears twice", nameof(smallShards));
            }
        }
        if (tensors?.FindProblem(written.ToDictionary(s => s.Name, s => s.Bytes, StringComparer.Ordinal)) is { } indexProblem)
        {
            throw new ArgumentException($"tensor index: {indexProblem}", nameof(tensors));
        }
    }

    private static void RequireId(string id)
    {
        if (!CheckpointId.TryParseStep(id, out _))
        {
            throw new ArgumentException($"'{id}' is not a checkpoint id; expected 'step-' and 10 digits, e.g. {CheckpointId.ForStep(1000)}", nameof(id));
        }
    }

    private static bool IsShardName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name == ManifestName)
        {
            return false;
        }
        try
        {
            ObjectKey.Validate(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static CheckpointCorruptException? FindCorruption(Exception? e)
    {
        // Loaders (TorchSharp, a deserializer) may wrap what a shard stream threw.
        for (; e is not null; e = e.InnerException)
        {
            if (e is CheckpointCorruptException corrupt)
            {
                return corrupt;
            }
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(FindCorruption).FirstOrDefault(c => c is not null) is { } inner)
            {
                return inner;
            }
        }
        return null;
    }

    private void LogFallback(CheckpointCorruptException e) =>
        _log.Warning("Checkpoint {CheckpointId} is unusable, shard {Shard}: {Problem}; falling back to the previous committed checkpoint",
            e.CheckpointId, e.Shard, e.Message);

    private async Task DeleteAllAsync(CheckpointFolder folder, CancellationToken cancellationToken)
    {
        foreach (var key in folder.Keys)
        {
            await _store.DeleteAsync(key, cancellationToken);
        }
    }

    private string FolderKey(string id) => _root + "/" + id;

    private string ManifestKey(string id) => _root + "/" + id + "/" + ManifestName;

    private sealed record CheckpointFolder(string Id, long Step, IReadOnlyList<string> Keys, bool HasManifest);
}
