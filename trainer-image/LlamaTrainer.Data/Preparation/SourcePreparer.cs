using LlamaTrainer.Data.Shards;
using LlamaTrainer.Data.Tokenization;
using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Preparation;

/// <summary>
/// Tokenizes one source's inspected files into train and held-out shards and writes its index.json, last, so that a
/// reader never sees an index whose shards are missing. Documents are tokenized in parallel in chunks and written in
/// input order, so the output does not depend on the thread count.
/// </summary>
public sealed class SourcePreparer(TextTokenizer tokenizer, PrepareDataOptions options)
{
    private const int ChunkDocuments = 512;
    private const int ChunkChars = 8 << 20;

    /// <summary>Writes the source into "&lt;options.Output&gt;/&lt;sourceName&gt;/".</summary>
    public Task<ShardIndex> PrepareAsync(string sourceName, IReadOnlyList<InputFile> files, CancellationToken cancellationToken) =>
        PrepareAsync(new PrefixedStore(options.Output, sourceName), sourceName, files, cancellationToken);

    /// <summary>Writes the source at the root of <paramref name="sourceStore"/> (its shard folder).</summary>
    public async Task<ShardIndex> PrepareAsync(IObjectStore sourceStore, string sourceName, IReadOnlyList<InputFile> files, CancellationToken cancellationToken)
    {
        var train = NewWriter(sourceStore, "train");
        var heldOut = NewWriter(sourceStore, "heldout");
        // The newest documents wait here: whatever is still queued at the end is the held-out split.
        var tail = new Queue<int[]>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancellationToken };

        foreach (var chunk in Chunks(files))
        {
            var tokenized = new int[chunk.Count][];
            Parallel.For(0, chunk.Count, parallel, i => tokenized[i] = tokenizer.EncodeDocument(chunk[i]));
            foreach (var document in tokenized)
            {
                tail.Enqueue(document);
                if (tail.Count > options.HeldOutDocuments)
                {
                    await train.AddAsync(tail.Dequeue(), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        while (tail.Count > 0)
        {
            await heldOut.AddAsync(tail.Dequeue(), cancellationToken).ConfigureAwait(false);
        }

        var trainSet = await train.CompleteAsync(cancellationToken).ConfigureAwait(false);
        var heldOutSet = await heldOut.CompleteAsync(cancellationToken).ConfigureAwait(false);
        if (trainSet.Documents == 0)
        {
            throw new InvalidDataException(
                $"source '{sourceName}' has {heldOutSet.Documents} documents, all held out; it needs more documents than the {options.HeldOutDocuments} held out");
        }

        var index = new ShardIndex(ShardIndex.CurrentFormatVersion, sourceName, tokenizer.Name, tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId, trainSet, heldOutSet);
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(index.ToJson()));
        await sourceStore.PutAsync(ShardIndex.FileName, json, cancellationToken).ConfigureAwait(false);
        return index;
    }

    private ShardSetWriter NewWriter(IObjectStore sourceStore, string split) =>
        new(sourceStore, split, new ShardBuilder(tokenizer.Name, tokenizer.VocabSize, options.MaxShardBytes));

    private IEnumerable<List<string>> Chunks(IReadOnlyList<InputFile> files)
    {
        var chunk = new List<string>();
        var chars = 0L;
        foreach (var file in files)
        {
            foreach (var document in DocumentReader.Read(file, options.TextSplit, options.TextField))
            {
                chunk.Add(document);
                chars += document.Length;
                if (chunk.Count >= ChunkDocuments || chars >= ChunkChars)
                {
                    yield return chunk;
                    chunk = [];
                    chars = 0;
                }
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
