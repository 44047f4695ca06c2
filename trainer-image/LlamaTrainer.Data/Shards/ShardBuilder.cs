namespace LlamaTrainer.Data.Shards;

/// <summary>
/// Collects documents into shards of at most <c>maxShardBytes</c> encoded bytes. A document is never split across
/// shards; one larger than the budget gets a shard of its own.
/// </summary>
public sealed class ShardBuilder
{
    private readonly string _tokenizerName;
    private readonly int _vocabSize;
    private readonly long _maxShardBytes;
    private readonly List<int> _tokens = [];
    private readonly List<int> _starts = [0];

    public ShardBuilder(string tokenizerName, int vocabSize, long maxShardBytes)
    {
        if (maxShardBytes < TokenShardFormat.SizeOf(tokenizerName, 2, 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxShardBytes), maxShardBytes, "a shard must hold at least one short document");
        }

        _tokenizerName = tokenizerName;
        _vocabSize = vocabSize;
        _maxShardBytes = maxShardBytes;
    }

    /// <summary>Adds a document; returns the shard it closed when the document did not fit beside the others.</summary>
    public TokenShard? Add(ReadOnlySpan<int> document)
    {
        if (document.IsEmpty)
        {
            throw new ArgumentException("a document has at least its BOS and EOS tokens", nameof(document));
        }

        TokenShard? closed = null;
        var documents = _starts.Count - 1;
        if (documents > 0 && TokenShardFormat.SizeOf(_tokenizerName, _tokens.Count + document.Length, documents + 1) > _maxShardBytes)
        {
            closed = Flush();
        }

        _tokens.AddRange(document);
        _starts.Add(_tokens.Count);
        return closed;
    }

    /// <summary>The shard under construction, or null when it is empty.</summary>
    public TokenShard? Flush()
    {
        if (_starts.Count == 1)
        {
            return null;
        }

        var shard = new TokenShard(_tokenizerName, _vocabSize, [.. _tokens], [.. _starts]);
        _tokens.Clear();
        _starts.Clear();
        _starts.Add(0);
        return shard;
    }
}
