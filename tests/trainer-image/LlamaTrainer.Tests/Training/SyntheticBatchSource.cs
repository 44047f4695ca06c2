using System.Globalization;
using LlamaTrainer.Data;

namespace LlamaTrainer.Tests.Training;

/// <summary>
/// A learnable, deterministic stream for loop tests: documents of 3..12 tokens where each next token is
/// (previous * 5 + 3) mod vocab from a random start, packed into rows. Row r depends only on (seed, r), so the
/// cursor is the number of rows drawn, and 4 batches of 1 row hold the same rows as 1 batch of 4.
/// </summary>
internal sealed class SyntheticBatchSource(int vocab, int seed = 7) : IBatchSource
{
    private long _drawn;

    public long Drawn => _drawn;

    public TokenBatch Next(int batchSize, int sequenceLength)
    {
        int n = batchSize * sequenceLength;
        var inputs = new int[n];
        var targets = new int[n];
        var positions = new int[n];
        var docs = new int[n];
        for (int row = 0; row < batchSize; row++)
        {
            var random = new Random(unchecked(seed * 1_000_003 + (int)_drawn++));
            int i = 0, doc = 0;
            while (i < sequenceLength)
            {
                int length = Math.Min(random.Next(3, 13), sequenceLength - i);
                int token = random.Next(vocab);
                for (int p = 0; p < length; p++, i++)
                {
                    int at = row * sequenceLength + i;
                    inputs[at] = token;
                    token = (token * 5 + 3) % vocab;
                    targets[at] = p == length - 1 ? TokenBatch.IgnoreIndex : token;
                    positions[at] = p;
                    docs[at] = doc;
                }
                doc++;
            }
        }
        return new TokenBatch(batchSize, sequenceLength, inputs, targets, positions, docs);
    }

    public string SaveCursor() => _drawn.ToString(CultureInfo.InvariantCulture);

    public void RestoreCursor(string cursorJson) => _drawn = long.Parse(cursorJson, CultureInfo.InvariantCulture);
}
