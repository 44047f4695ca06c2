using LlamaTrainer.Data;

namespace LlamaTrainer.Benchmarks;

/// <summary>
/// Uniform random tokens as single-document rows, from a fixed seed: throughput does not depend on what is learned,
/// and every rank that draws the same sequence of micro-batches sees the same tokens.
/// </summary>
internal sealed class RandomTokens(int vocab, int seed = 1) : IBatchSource
{
    private readonly Random _random = new(seed);

    public TokenBatch Next(int batchSize, int sequenceLength)
    {
        var n = batchSize * sequenceLength;
        var inputs = Enumerable.Range(0, n).Select(_ => _random.Next(vocab)).ToArray();
        var positions = Enumerable.Range(0, n).Select(i => i % sequenceLength).ToArray();
        return new TokenBatch(batchSize, sequenceLength, inputs, [.. inputs.Skip(1).Append(0)], positions, new int[n]);
    }

    public string SaveCursor() => "{}";

    public void RestoreCursor(string cursorJson)
    {
    }
}
