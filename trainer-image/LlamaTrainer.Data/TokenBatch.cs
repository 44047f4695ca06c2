namespace LlamaTrainer.Data;

/// <summary>
/// A micro-batch of packed sequences, row-major [BatchSize, SequenceLength].
/// Targets are the next token, or <see cref="IgnoreIndex"/> where the next token belongs to another document
/// (and at padding). Positions restart at 0 at each document start (RoPE); DocumentIds number the documents
/// inside a row, so that attention is allowed only where DocumentIds are equal (and causal).
/// </summary>
public sealed record TokenBatch(int BatchSize, int SequenceLength, int[] Inputs, int[] Targets, int[] Positions, int[] DocumentIds)
{
    public const int IgnoreIndex = -100;
}

/// <summary>Where the trainer gets its batches from; deterministic for a seed and resumable from its cursor.</summary>
public interface IBatchSource
{
    /// <summary>The next micro-batch of <paramref name="batchSize"/> packed sequences of <paramref name="sequenceLength"/> tokens.</summary>
    TokenBatch Next(int batchSize, int sequenceLength);

    /// <summary>
    /// Advances past the micro-batch <see cref="Next"/> would return, for a micro-batch another data-parallel rank
    /// trains on, and returns its target count (entries of Targets that are not <see cref="TokenBatch.IgnoreIndex"/>).
    /// Every rank draws the whole global batch in the same order, so the read position stays one global cursor.
    /// </summary>
    long Skip(int batchSize, int sequenceLength) => Next(batchSize, sequenceLength).Targets.LongCount(t => t != TokenBatch.IgnoreIndex);

    /// <summary>An opaque JSON snapshot of the read position; restoring it replays exactly the batches that followed it.</summary>
    string SaveCursor();

    /// <summary>Restores a position saved by <see cref="SaveCursor"/>.</summary>
    void RestoreCursor(string cursorJson);
}
