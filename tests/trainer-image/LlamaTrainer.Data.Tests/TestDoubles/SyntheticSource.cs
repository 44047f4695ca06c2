using LlamaTrainer.Data.Shards;

namespace LlamaTrainer.Data.Tests.TestDoubles;

/// <summary>
/// Writes a prepared source without a tokenizer: documents are BOS, body tokens that say which source, document and
/// place they are (<see cref="Body"/>), EOS. So a test can tell where every packed token came from.
/// </summary>
public static class SyntheticSource
{
    public const int Bos = 1;
    public const int Eos = 2;
    public const int VocabSize = 50_000_000;

    public static int Body(int source, int document, int place) => 1000 + (source * 10_000_000) + (document * 1000) + place;

    public static int SourceOf(int token) => (token - 1000) / 10_000_000;

    public static int DocumentOf(int token) => (token - 1000) % 10_000_000 / 1000;

    /// <summary>Body lengths cycle through <paramref name="bodyLengths"/> (each below 1000).</summary>
    public static async Task<List<int[]>> WriteAsync(InMemoryObjectStore root, string name, int sourceNumber, int documents, int[] bodyLengths, long maxShardBytes = 2048, int heldOut = 0, string tokenizer = "synthetic")
    {
        var all = new List<int[]>();
        for (var d = 0; d < documents + heldOut; d++)
        {
            var body = Enumerable.Range(0, bodyLengths[d % bodyLengths.Length]).Select(p => Body(sourceNumber, d, p));
            all.Add([Bos, .. body, Eos]);
        }

        var train = new ShardSetWriter(root.Under(name), "train", new ShardBuilder(tokenizer, VocabSize, maxShardBytes));
        var held = new ShardSetWriter(root.Under(name), "heldout", new ShardBuilder(tokenizer, VocabSize, maxShardBytes));
        for (var d = 0; d < all.Count; d++)
        {
            await (d < documents ? train : held).AddAsync(all[d], CancellationToken.None);
        }

        var index = new ShardIndex(ShardIndex.CurrentFormatVersion, name, tokenizer, VocabSize, Bos, Eos,
            await train.CompleteAsync(CancellationToken.None), await held.CompleteAsync(CancellationToken.None));
        root.Set($"{name}/{ShardIndex.FileName}", System.Text.Encoding.UTF8.GetBytes(index.ToJson()));
        return all;
    }
}
