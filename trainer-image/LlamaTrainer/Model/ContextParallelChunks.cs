using LlamaTrainer.Collectives;

namespace LlamaTrainer.Model;

/// <summary>
/// Which tokens of each row one context-parallel rank holds (Llama 3's load balancing under the causal mask): the row's
/// S tokens in 2 x CP chunks of S / (2 CP), rank i holding chunks i and 2 CP - 1 - i, in that order. Its K/V are
/// all-gathered over <see cref="Group"/>, rank by rank, so a key's place in the gathered tensor follows from its chunk.
/// </summary>
public sealed class ContextParallelChunks(ICommunicator group)
{
    public ICommunicator Group => group;

    public int Size => group.Size;

    public int Rank => group.Rank;

    /// <summary>Tokens of a row on this rank: two chunks.</summary>
    public int LocalLength(int length) => 2 * ChunkLength(length);

    public int ChunkLength(int length)
    {
        if (length % (2 * Size) != 0)
        {
            throw new ArgumentException($"a sequence of {length} tokens does not split into 2 x cp = {2 * Size} chunks", nameof(length));
        }

        return length / (2 * Size);
    }

    /// <summary>This rank's two chunks, in local order.</summary>
    public (int First, int Second) Chunks => (Rank, (2 * Size) - 1 - Rank);

    /// <summary>This rank's tokens of row-major [rows x length] values, row by row: [rows x LocalLength].</summary>
    public T[] Slice<T>(T[] values, int rows, int length)
    {
        var chunk = ChunkLength(length);
        var local = new T[rows * 2 * chunk];
        for (var row = 0; row < rows; row++)
        {
            Array.Copy(values, (row * length) + (Chunks.First * chunk), local, row * 2 * chunk, chunk);
            Array.Copy(values, (row * length) + (Chunks.Second * chunk), local, (row * 2 * chunk) + chunk, chunk);
        }

        return local;
    }

    /// <summary>Where the token at <paramref name="position"/> of <paramref name="row"/> lies in the group's all-gathered tokens (rank-major, each rank's local order).</summary>
    public long GatheredIndex(int row, int position, int rows, int length)
    {
        var chunk = ChunkLength(length);
        var k = position / chunk;
        var owner = k < Size ? k : (2 * Size) - 1 - k;
        var offset = (k < Size ? 0 : chunk) + (position - (k * chunk));
        return ((long)owner * rows * 2 * chunk) + ((long)row * 2 * chunk) + offset;
    }
}
