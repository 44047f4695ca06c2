namespace LlamaTrainer.Data.Sampling;

/// <summary>
/// Packs documents into rows of a batch. A row holds as many documents as fit; a document longer than the rest of a
/// row continues at the start of the next row (or the next batch). Each piece of a document in a row is a segment:
/// its positions restart at 0 and it has its own DocumentId. Attention never crosses rows, so a continued document
/// is, for the model, a new one and positions stay below the sequence length. Targets are the next token of the
/// same document (also across a row break), IgnoreIndex after a document's last token and at padding.
/// Padding (only when the feed runs dry) is EOS with its own DocumentId.
/// </summary>
public sealed class SequencePacker(int paddingToken)
{
    private ReadOnlyMemory<int> _document;

    /// <summary>Tokens of the current document already placed in rows.</summary>
    public int Offset { get; private set; }

    public bool HasDocument => !_document.IsEmpty;

    /// <summary>Resumes a document part-way (from a cursor).</summary>
    public void Resume(ReadOnlyMemory<int> document, int offset)
    {
        if (offset < 0 || offset >= document.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset must be inside the document of {document.Length} tokens");
        }

        _document = document;
        Offset = offset;
    }

    public void Clear()
    {
        _document = ReadOnlyMemory<int>.Empty;
        Offset = 0;
    }

    /// <param name="nextDocument">The next document, or null when there are none (the rest is padded).</param>
    /// <param name="placed">Called with the number of tokens of the current document placed in a row.</param>
    public TokenBatch Pack(int batchSize, int sequenceLength, Func<ReadOnlyMemory<int>?> nextDocument, Action<int> placed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        var size = checked(batchSize * sequenceLength);
        var inputs = new int[size];
        var targets = new int[size];
        var positions = new int[size];
        var documentIds = new int[size];
        for (var row = 0; row < batchSize; row++)
        {
            var rowStart = row * sequenceLength;
            var filled = 0;
            var segment = 0;
            while (filled < sequenceLength)
            {
                if (_document.IsEmpty && nextDocument() is { } next && !next.IsEmpty)
                {
                    _document = next;
                    Offset = 0;
                }

                var at = rowStart + filled;
                if (_document.IsEmpty)
                {
                    var padding = sequenceLength - filled;
                    inputs.AsSpan(at, padding).Fill(paddingToken);
                    targets.AsSpan(at, padding).Fill(TokenBatch.IgnoreIndex);
                    documentIds.AsSpan(at, padding).Fill(segment);
                    for (var i = 0; i < padding; i++)
                    {
                        positions[at + i] = i;
                    }

                    break;
                }

                var document = _document.Span;
                var count = Math.Min(sequenceLength - filled, document.Length - Offset);
                document.Slice(Offset, count).CopyTo(inputs.AsSpan(at, count));
                for (var i = 0; i < count; i++)
                {
                    var nextIndex = Offset + i + 1;
                    targets[at + i] = nextIndex < document.Length ? document[nextIndex] : TokenBatch.IgnoreIndex;
                    positions[at + i] = i;
                    documentIds[at + i] = segment;
                }

                placed(count);
                filled += count;
                segment++;
                Offset += count;
                if (Offset == document.Length)
                {
                    Clear();
                }
            }
        }

        return new TokenBatch(batchSize, sequenceLength, inputs, targets, positions, documentIds);
    }
}
