using System.Numerics;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// The documents of a packed micro-batch, laid out so that attention needs no T x T mask: every document (a run of
/// equal document ids in a row) becomes one sequence of a causal attention call, and documents of similar length share
/// a call as one batch, each padded at its end to the bucket's length. Padding at the end is exact under the causal
/// mask: a real query only sees keys at or before it, all real; padded queries are dropped. Built once per micro-batch
/// on the host, from the ids the data loader wrote there, and shared by every layer.
/// </summary>
public sealed class DocumentSegments : IDisposable
{
    /// <summary>One attention call: Count sequences of Length tokens, gathered from the flattened [batch x seq] tokens.</summary>
    /// <param name="Gather">[Count x Length] token indices into the flattened batch (padding repeats a real token).</param>
    /// <param name="Real">indices into the call's flattened [Count x Length] output of its real (unpadded) tokens.</param>
    public sealed record Bucket(int Count, int Length, Tensor Gather, Tensor Real);

    private DocumentSegments(IReadOnlyList<Bucket> buckets, Tensor order)
    {
        Buckets = buckets;
        Order = order;
    }

    public IReadOnlyList<Bucket> Buckets { get; }

    /// <summary>For each flattened token, its row in the concatenation of the buckets' real outputs.</summary>
    public Tensor Order { get; }

    /// <param name="documentIds">[batch, seq] integer ids; a document is a run of equal ids within a row.</param>
    public static DocumentSegments Of(Tensor documentIds)
    {
        if (documentIds.dim() != 2)
            throw new ArgumentException($"document ids must be [batch, seq], got [{string.Join(", ", documentIds.shape)}]", nameof(documentIds));
        using var host = documentIds.to(ScalarType.Int32).cpu();
        return Of(host.data<int>().ToArray(), checked((int)documentIds.shape[0]), checked((int)documentIds.shape[1]), documentIds.device);
    }

    /// <param name="ids">row-major [rows x length] ids (as <c>TokenBatch.DocumentIds</c>); a document is a run of equal ids within a row.</param>
    /// <param name="device">where the index tensors go: the device the batch's activations are on.</param>
    public static DocumentSegments Of(ReadOnlySpan<int> ids, int rows, int length, Device device)
    {
        if (ids.Length != (long)rows * length)
            throw new ArgumentException($"document ids: {ids.Length} entries, expected rows x length = {rows} x {length}", nameof(ids));

        // (start in the flattened batch, length) of every document, grouped by the padded length of its call.
        var byBucket = new SortedDictionary<int, List<(long Start, int Length)>>();
        for (var row = 0; row < rows; row++)
        {
            var seen = new HashSet<int>();
            int start = row * length, end = start + length;
            for (var at = start; at < end;)
            {
                var id = ids[at];
                if (!seen.Add(id))
                    throw new ArgumentException($"document ids: row {row} returns to document {id} at position {at - start}; a document must be one run of tokens", nameof(ids));
                var next = at + 1;
                while (next < end && ids[next] == id)
                    next++;
                var runLength = next - at;
                var bucket = PaddedLength(runLength);
                if (!byBucket.TryGetValue(bucket, out var runs))
                    byBucket[bucket] = runs = [];
                runs.Add((at, runLength));
                at = next;
            }
        }

        var buckets = new List<Bucket>(byBucket.Count);
        var order = new long[(long)rows * length];
        long emitted = 0;
        foreach (var (padded, runs) in byBucket)
        {
            var gather = new long[runs.Count * padded];
            var real = new List<long>();
            for (var i = 0; i < runs.Count; i++)
            {
                var (start, runLength) = runs[i];
                for (var t = 0; t < padded; t++)
                {
                    var slot = (long)i * padded + t;
                    gather[slot] = start + Math.Min(t, runLength - 1);
                    if (t < runLength)
                    {
                        order[start + t] = emitted++;
                        real.Add(slot);
                    }
                }
            }
            buckets.Add(new Bucket(runs.Count, padded, tensor(gather, device: device), tensor(real.ToArray(), device: device)));
        }
        return new DocumentSegments(buckets, tensor(order, device: device));
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
            bucket.Real.Dispose();
        }
        Order.Dispose();
    }
}
