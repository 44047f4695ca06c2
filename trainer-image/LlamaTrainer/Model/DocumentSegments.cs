using System.Numerics;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// The documents of a packed micro-batch, laid out so that attention needs no T x T mask: every document (a run of
/// equal document ids in a row) becomes one sequence of a causal attention call, and documents of similar length share
/// a call as one batch, each padded at its end to the bucket's length. Padding at the end is exact under the causal
/// mask: a real query only sees keys at or before it, all real; padded queries are dropped. Built once per micro-batch
/// on the host, from the ids the data loader wrote there, and shared by every layer.
/// Under context parallelism (<see cref="ContextParallel"/>) this rank's queries are its two chunks of each row and the
/// keys the group's all-gathered tokens: a run of queries from position a to b of a document that starts at d0 is a
/// call over keys d0..b, whose first a - d0 query slots are padding (any token; dropped), so the call is square and
/// causal, and exact: the real queries see every key of the document up to themselves.
/// </summary>
public sealed class DocumentSegments : IDisposable
{
    /// <summary>One attention call: Count sequences of Length tokens.</summary>
    /// <param name="Gather">[Count x Length] indices of the keys and values: into the batch's flattened tokens, or under context parallelism into the group's all-gathered ones.</param>
    /// <param name="QueryGather">[Count x Length] indices of the queries into this rank's flattened tokens (the same tensor as Gather without context parallelism).</param>
    /// <param name="Real">indices into the call's flattened [Count x Length] output of its real (unpadded) queries.</param>
    public sealed record Bucket(int Count, int Length, Tensor Gather, Tensor QueryGather, Tensor Real);

    private DocumentSegments(IReadOnlyList<Bucket> buckets, Tensor order, ContextParallelChunks? contextParallel)
    {
        Buckets = buckets;
        Order = order;
        ContextParallel = contextParallel;
    }

    public IReadOnlyList<Bucket> Buckets { get; }

    /// <summary>For each of this rank's flattened tokens, its row in the concatenation of the buckets' real outputs.</summary>
    public Tensor Order { get; }

    /// <summary>The CP group whose keys and values the calls read (all-gathered), or null when the batch is whole here.</summary>
    public ContextParallelChunks? ContextParallel { get; }

    /// <param name="documentIds">[batch, seq] integer ids; a document is a run of equal ids within a row.</param>
    public static DocumentSegments Of(Tensor documentIds)
    {
        if (documentIds.dim() != 2)
            throw new ArgumentException($"document ids must be [batch, seq], got [{string.Join(", ", documentIds.shape)}]", nameof(documentIds));
        using var host = documentIds.to(ScalarType.Int32).cpu();
        return Of(host.data<int>().ToArray(), checked((int)documentIds.shape[0]), checked((int)documentIds.shape[1]), documentIds.device);
    }

    /// <param name="ids">row-major [rows x length] ids of the whole rows (as <c>TokenBatch.DocumentIds</c>); a document is a run of equal ids within a row.</param>
    /// <param name="device">where the index tensors go: the device the batch's activations are on.</param>
    /// <param name="contextParallel">this rank's chunks of every row, or null for whole rows</param>
    public static DocumentSegments Of(ReadOnlySpan<int> ids, int rows, int length, Device device, ContextParallelChunks? contextParallel = null)
    {
        if (ids.Length != (long)rows * length)
            throw new ArgumentException($"document ids: {ids.Length} entries, expected rows x length = {rows} x {length}", nameof(ids));

        // Query runs (one document within one chunk held here), grouped by the padded length of their call.
        var chunk = contextParallel?.ChunkLength(length) ?? length;
        var localLength = contextParallel?.LocalLength(length) ?? length;
        (int Chunk, int LocalOffset)[] chunks = contextParallel is null ? [(0, 0)] : [(contextParallel.Chunks.First, 0), (contextParallel.Chunks.Second, chunk)];
        var byBucket = new SortedDictionary<int, List<Run>>();
        var documentStart = new int[length];
        for (var row = 0; row < rows; row++)
        {
            var seen = new HashSet<int>();
            int rowStart = row * length;
            for (var at = 0; at < length;)
            {
                var id = ids[rowStart + at];
                if (!seen.Add(id))
                    throw new ArgumentException($"document ids: row {row} returns to document {id} at position {at}; a document must be one run of tokens", nameof(ids));
                var next = at + 1;
                while (next < length && ids[rowStart + next] == id)
                    next++;
                Array.Fill(documentStart, at, at, next - at);
                at = next;
            }

            foreach (var (k, localOffset) in chunks)
            {
                int from = k * chunk, to = from + chunk;
                for (var at = from; at < to;)
                {
                    var next = at + 1;
                    while (next < to && documentStart[next] == documentStart[at])
                        next++;
                    var run = new Run(row, documentStart[at], at, next, (row * localLength) + localOffset + (at - from));
                    var bucket = PaddedLength(run.Keys);
                    if (!byBucket.TryGetValue(bucket, out var runs))
                        byBucket[bucket] = runs = [];
                    runs.Add(run);
                    at = next;
                }
            }
        }

        long KeyIndex(int row, int position) =>
            contextParallel?.GatheredIndex(row, position, rows, length) ?? ((long)row * length) + position;

        var buckets = new List<Bucket>(byBucket.Count);
        var order = new long[(long)rows * localLength];
        long emitted = 0;
        foreach (var (padded, runs) in byBucket)
        {
            var keys = new long[runs.Count * padded];
            var queries = contextParallel is null ? keys : new long[runs.Count * padded];
            var real = new List<long>();
            for (var i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                var front = run.First - run.DocumentStart;
                for (var t = 0; t < padded; t++)
                {
                    var slot = (long)i * padded + t;
                    var key = Math.Min(t, run.Keys - 1);
                    keys[slot] = KeyIndex(run.Row, run.DocumentStart + key);
                    if (contextParallel is not null)
                        queries[slot] = run.FirstLocal + Math.Clamp(t - front, 0, run.End - run.First - 1);
                    if (t >= front && t < run.Keys)
                    {
                        order[run.FirstLocal + (t - front)] = emitted++;
                        real.Add(slot);
                    }
                }
            }

            var gather = tensor(keys, device: device);
            buckets.Add(new Bucket(runs.Count, padded, gather, contextParallel is null ? gather : tensor(queries, device: device), tensor(real.ToArray(), device: device)));
        }
        return new DocumentSegments(buckets, tensor(order, device: device), contextParallel);
    }

    /// <summary>Queries [First, End) of a row held here (the first at local index FirstLocal), in the document that starts at DocumentStart.</summary>
    private readonly record struct Run(int Row, int DocumentStart, int First, int End, long FirstLocal)
    {
        /// <summary>The call's keys: the document from its start to the last query.</summary>
        public int Keys => End - DocumentStart;
    }

    /// <summary>
    /// The call length for a document of <paramref name="length"/> tokens: rounded up to a multiple of an eighth of the
    /// next power of two (at least 16), so padding adds at most 25 % and there are at most four lengths per doubling.
    /// </summary>
    public static int PaddedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (length <= 16)
            return 16;
        var step = (int)(BitOperations.RoundUpToPowerOf2((uint)length) / 8);
        return (length + step - 1) / step * step;
    }

    public void Dispose()
    {
        foreach (var bucket in Buckets)
        {
            bucket.Gather.Dispose();
            if (!ReferenceEquals(bucket.QueryGather, bucket.Gather))
                bucket.QueryGather.Dispose();
            bucket.Real.Dispose();
        }
        Order.Dispose();
    }
}
