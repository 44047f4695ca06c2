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
        var size = CheckShape(batchSize, sequenceLength);
        var batch = new TokenBatch(batchSize, sequenceLength, new int[size], new int[size], new int[size], new int[size]);
        Fill(batchSize, sequenceLength, nextDocument, placed, batch);
        return batch;
    }

    /// <summary>
    /// Consumes exactly the documents <see cref="Pack"/> would, without building the batch (another data-parallel
    /// rank trains on it); returns its target count (tokens whose target is not <see cref="TokenBatch.IgnoreIndex"/>).
    /// </summary>
    public long Skip(int batchSize, int sequenceLength, Func<ReadOnlyMemory<int>?> nextDocument, Action<int> placed)
    {
        CheckShape(batchSize, sequenceLength);
        return Fill(batchSize, sequenceLength, nextDocument, placed, null);
    }

    private static int CheckShape(int batchSize, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        return checked(batchSize * sequenceLength);
    }

    /// <summary>The one packing loop: writes into <paramref name="batch"/> when given, and counts targets either way.</summary>
    private long Fill(int batchSize, int sequenceLength, Func<ReadOnlyMemory<int>?> nextDocument, Action<int> placed, TokenBatch? batch)
    {
        long targetCount = 0;
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
                    if (batch is not null)
                    {
                        var padding = sequenceLength - filled;
                        batch.Inputs.AsSpan(at, padding).Fill(paddingToken);
                        batch.Targets.AsSpan(at, padding).Fill(TokenBatch.IgnoreIndex);
                        batch.DocumentIds.AsSpan(at, padding).Fill(segment);
                        for (var i = 0; i < padding; i++)
                        {
                            batch.Positions[at + i] = i;
                        }
                    }

                    break;
                }

                var document = _document.Span;
                var count = Math.Min(sequenceLength - filled, document.Length - Offset);
                // Every placed token has a target except the document's last one.
                targetCount += Offset + count == document.Length ? count - 1 : count;
                if (batch is not null)
                {
                    document.Slice(Offset, count).CopyTo(batch.Inputs.AsSpan(at, count));
                    for (var i = 0; i < count; i++)
                    {
                        var nextIndex = Offset + i + 1;
                        batch.Targets[at + i] = nextIndex < document.Length ? document[nextIndex] : TokenBatch.IgnoreIndex;
                        batch.Positions[at + i] = i;
                        batch.DocumentIds[at + i] = segment;
                    }
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

        return targetCount;
    }
}
