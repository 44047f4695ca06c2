using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Shards;

/// <summary>Writes one split of a source ("train" or "heldout") as numbered shards at the root of the source's store.</summary>
public sealed class ShardSetWriter(IObjectStore sourceStore, string splitName, ShardBuilder builder)
{
    private readonly List<ShardEntry> _entries = [];

    public async Task AddAsync(int[] document, CancellationToken cancellationToken)
    {
        if (builder.Add(document) is { } closed)
        {
            await PutAsync(closed, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the last shard and returns the split's listing for index.json.</summary>
    public async Task<ShardSet> CompleteAsync(CancellationToken cancellationToken)
    {
        if (builder.Flush() is { } last)
        {
            await PutAsync(last, cancellationToken).ConfigureAwait(false);
        }

        return new ShardSet(_entries.Sum(e => e.Documents), _entries.Sum(e => e.Tokens), [.. _entries]);
    }

    private async Task PutAsync(TokenShard shard, CancellationToken cancellationToken)
    {
        var key = $"{splitName}-{_entries.Count:D5}{TokenShardFormat.FileExtension}";
        var bytes = TokenShardFormat.Write(shard);
        using (var content = new MemoryStream(bytes, writable: false))
        {
            await sourceStore.PutAsync(key, content, cancellationToken).ConfigureAwait(false);
        }

        _entries.Add(new ShardEntry(key, shard.DocumentCount, shard.Tokens.Length, bytes.Length));
    }
}
