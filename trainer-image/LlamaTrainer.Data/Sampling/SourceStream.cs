using LlamaTrainer.Data.Shards;
using LlamaTrainer.Storage;
using Serilog;

namespace LlamaTrainer.Data.Sampling;

/// <summary>
/// Endless, seeded stream of one source's training documents. Each epoch visits the shards in a shuffled order and
/// each shard's documents in a shuffled order, so only the current shard (and the next, prefetched) is in memory.
/// When the source is exhausted it starts the next epoch with a new shuffle.
/// </summary>
internal sealed class SourceStream
{
    private readonly IObjectStore _store;
    private readonly ulong _seed;
    private readonly ulong _nameHash;
    private readonly ILogger _logger;
    private readonly Dictionary<int, Task<TokenShard>> _loads = [];
    private int[] _shardOrder = [];
    private int[]? _documentOrder;
    private TokenShard? _shard;

    public SourceStream(string name, IObjectStore store, ShardIndex index, long seed, ILogger logger)
    {
        if (index.Train.Documents == 0)
        {
            throw new InvalidDataException($"source '{name}' ({store.Location}) has no training documents");
        }

        Name = name;
        Index = index;
        _store = store;
        _seed = (ulong)seed;
        _nameHash = SeededPermutation.HashName(name);
        _logger = logger;
        MoveTo(new SourcePosition(0, 0, 0));
    }

    public string Name { get; }

    public ShardIndex Index { get; }

    public SourcePosition Position { get; private set; } = new(0, 0, 0);

    /// <summary>Identifies the prepared data, so that a cursor is never applied to different shards.</summary>
    public string Fingerprint => $"shards={Index.Train.Shards.Count};documents={Index.Train.Documents};tokens={Index.Train.Tokens}";

    public void MoveTo(SourcePosition position)
    {
        if (position.Epoch < 0 || position.Shard < 0 || position.Shard >= Index.Train.Shards.Count || position.Document < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, $"source '{Name}' has {Index.Train.Shards.Count} shards");
        }

        _shardOrder = SeededPermutation.Create(Index.Train.Shards.Count, _seed, _nameHash, (ulong)position.Epoch);
        _documentOrder = null;
        _shard = null;
        Position = position;
    }

    /// <summary>The next document; returns its position in the current shard's order for the cursor.</summary>
    public ReadOnlyMemory<int> Take(out int documentPosition)
    {
        while (true)
        {
            LoadCurrentShard();
            if (Position.Document < _documentOrder!.Length)
            {
                documentPosition = Position.Document;
                Position = Position with { Document = documentPosition + 1 };
                return _shard!.Document(_documentOrder[documentPosition]);
            }

            if (Position.Shard + 1 < _shardOrder.Length)
            {
                Position = new SourcePosition(Position.Epoch, Position.Shard + 1, 0);
                _shard = null;
            }
            else
            {
                _logger.Information("Data source {Source} finished epoch {Epoch} ({Documents} documents, {Tokens} tokens); reshuffling for epoch {NextEpoch}",
                    Name, Position.Epoch, Index.Train.Documents, Index.Train.Tokens, Position.Epoch + 1);
                MoveTo(new SourcePosition(Position.Epoch + 1, 0, 0));
            }
        }
    }

    /// <summary>A document of the current shard, by its position in the shard's order (to restore a half-used document).</summary>
    public ReadOnlyMemory<int> DocumentAt(int documentPosition)
    {
        LoadCurrentShard();
        var order = _documentOrder!;
        if (documentPosition < 0 || documentPosition >= order.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(documentPosition), documentPosition, $"source '{Name}': the current shard has {order.Length} documents");
        }

        return _shard!.Document(order[documentPosition]);
    }

    private void LoadCurrentShard()
    {
        if (_shard is not null)
        {
            return;
        }

        var shardIndex = _shardOrder[Position.Shard];
        _shard = Load(shardIndex).GetAwaiter().GetResult();
        _documentOrder = SeededPermutation.Create(_shard.DocumentCount, _seed, _nameHash, (ulong)Position.Epoch, (ulong)shardIndex);
        foreach (var stale in _loads.Keys.Where(k => k != shardIndex).ToList())
        {
            _loads.Remove(stale);
        }

        // Read the next shard while this one is consumed (at an epoch's end the next order is unknown yet).
        if (Position.Shard + 1 < _shardOrder.Length)
        {
            _ = Load(_shardOrder[Position.Shard + 1]);
        }
    }

    private Task<TokenShard> Load(int shardIndex)
    {
        if (!_loads.TryGetValue(shardIndex, out var load))
        {
            var entry = Index.Train.Shards[shardIndex];
            load = Task.Run(() => Index.LoadShardAsync(_store, entry));
            _loads[shardIndex] = load;
        }

        return load;
    }
}
