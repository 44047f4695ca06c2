using LlamaTrainer.Data.Shards;
using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Sampling;

/// <summary>
/// A source's held-out documents (the last documents of its input, written apart by prepare-data), packed in order
/// into batches for evaluation loss; the last batch is padded.
/// </summary>
public sealed class HeldOutSet
{
    private readonly List<ReadOnlyMemory<int>> _documents;

    private HeldOutSet(string source, int eosId, List<ReadOnlyMemory<int>> documents)
    {
        Source = source;
        EosId = eosId;
        _documents = documents;
    }

    public string Source { get; }

    public int EosId { get; }

    public int DocumentCount => _documents.Count;

    public long TokenCount => _documents.Sum(d => (long)d.Length);

    public static async Task<HeldOutSet> LoadAsync(IObjectStore store, CancellationToken cancellationToken = default)
    {
        var index = await ShardIndex.LoadAsync(store, cancellationToken).ConfigureAwait(false);
        var documents = new List<ReadOnlyMemory<int>>();
        foreach (var entry in index.HeldOut.Shards)
        {
            var shard = await index.LoadShardAsync(store, entry, cancellationToken).ConfigureAwait(false);
            for (var d = 0; d < shard.DocumentCount; d++)
            {
                documents.Add(shard.Document(d));
            }
        }

        return new HeldOutSet(index.Source, index.EosId, documents);
    }

    /// <summary>All held-out tokens once, in order; empty when the source has no held-out documents.</summary>
    public IEnumerable<TokenBatch> Batches(int batchSize, int sequenceLength)
    {
        var packer = new SequencePacker(EosId);
        var next = 0;
        while (next < _documents.Count || packer.HasDocument)
        {
            yield return packer.Pack(batchSize, sequenceLength, () => next < _documents.Count ? _documents[next++] : null, _ => { });
        }
    }
}
