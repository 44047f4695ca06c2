using System.Diagnostics;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives;

/// <summary>
/// One collective's median time over the iterations, with bandwidths in GB/s (1e9 bytes/s) by the NCCL-tests
/// conventions: algorithm bandwidth = <see cref="Bytes"/> / time, where Bytes is the whole buffer (all-reduce's tensor,
/// reduce-scatter's input, all-gather's output); bus bandwidth = algorithm x 2(n-1)/n for all-reduce and x (n-1)/n for
/// reduce-scatter and all-gather, comparable with the link's bandwidth.
/// </summary>
public sealed record CollectiveTiming(string Operation, long Bytes, TimeSpan Median, double AlgorithmGBps, double BusGBps);

/// <summary>What <see cref="CollectiveBenchmark"/> measured: the collectives, and single-thread memcpy (tensor copy_) on the same machine for scale.</summary>
public sealed record CollectiveBenchmarkReport(int Ranks, long Bytes, int Iterations, IReadOnlyList<CollectiveTiming> Collectives, double MemcpyGBps);

/// <summary>Times all-reduce, reduce-scatter and all-gather of one size on Float32 CPU tensors.</summary>
public static class CollectiveBenchmark
{
    public const long DefaultBytes = 64L << 20;

    /// <summary>
    /// Called by every member of <paramref name="group"/> (ranks as threads or processes). Each collective runs once
    /// to warm up and then <paramref name="iterations"/> times, each after a barrier; times are group rank 0's. Rank 0
    /// first measures memcpy while the others wait, and broadcasts it, so every member returns the same report.
    /// <paramref name="bytes"/> is rounded down to whole Float32 elements divisible among the members.
    /// </summary>
    public static CollectiveBenchmarkReport Measure(ICommunicator group, long bytes = DefaultBytes, int iterations = 5)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var n = group.Size;
        var elements = bytes / sizeof(float) / n * n;
        if (elements == 0)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"at least {sizeof(float) * n} bytes are needed for {n} ranks");
        bytes = elements * sizeof(float);

        using var memcpy = zeros(1, dtype: ScalarType.Float64);
        if (group.Rank == 0)
            memcpy.fill_(MemcpyGBps(bytes, iterations));
        group.Broadcast(memcpy, 0);

        var timings = new List<CollectiveTiming>();
        using (var data = ones(elements))
            timings.Add(Time(group, "all-reduce", bytes, iterations, 2.0 * (n - 1) / n, () => group.AllReduce(data)));
        using (var input = ones(elements))
        using (var output = empty(elements / n))
            timings.Add(Time(group, "reduce-scatter", bytes, iterations, (n - 1.0) / n, () => group.ReduceScatter(input, output)));
        using (var input = ones(elements / n))
        using (var output = empty(elements))
            timings.Add(Time(group, "all-gather", bytes, iterations, (n - 1.0) / n, () => group.AllGather(input, output)));
        return new CollectiveBenchmarkReport(n, bytes, iterations, timings, memcpy.item<double>());
    }

    /// <summary>
    /// Runs <see cref="Measure"/> with <paramref name="ranks"/> ranks as threads of this process, each with the backend
    /// <paramref name="backendFor"/>(rank) makes (disposed afterwards), in one group of all ranks; returns rank 0's report.
    /// </summary>
    public static CollectiveBenchmarkReport RunThreads(int ranks, Func<int, ICollectiveBackend> backendFor, long bytes = DefaultBytes, int iterations = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        ArgumentNullException.ThrowIfNull(backendFor);
        var reports = new CollectiveBenchmarkReport?[ranks];
        var errors = new Exception?[ranks];
        var threads = Enumerable.Range(0, ranks).Select(rank => new Thread(() =>
        {
            try
            {
                using var backend = backendFor(rank);
                using var group = backend.CreateGroup("bench", [.. Enumerable.Range(0, ranks)]);
                reports[rank] = Measure(group, bytes, iterations);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })
        { IsBackground = true, Name = $"bench rank {rank}" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var failed = Array.FindIndex(errors, e => e is not null);
        if (failed >= 0)
            throw new InvalidOperationException($"benchmark rank {failed} of {ranks} failed: {errors[failed]!.Message}", errors[failed]);
        return reports[0]!;
    }

    private static CollectiveTiming Time(ICommunicator group, string operation, long bytes, int iterations, double busFactor, Action collective)
    {
        collective();
        var times = new TimeSpan[iterations];
        for (var i = 0; i < iterations; i++)
        {
            group.Barrier();
            var started = Stopwatch.GetTimestamp();
            collective();
            times[i] = Stopwatch.GetElapsedTime(started);
        }
        var median = Median(times);
        var algorithm = bytes / median.TotalSeconds / 1e9;
        return new CollectiveTiming(operation, bytes, median, algorithm, algorithm * busFactor);
    }

    // One intra-op thread, so that it is comparable with one rank's copies; the setting is restored afterwards.
    private static double MemcpyGBps(long bytes, int iterations)
    {
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            using var source = ones(bytes / sizeof(float));
            using var target = empty_like(source);
            target.copy_(source);
            var times = new TimeSpan[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var started = Stopwatch.GetTimestamp();
                target.copy_(source);
                times[i] = Stopwatch.GetElapsedTime(started);
            }
            return bytes / Median(times).TotalSeconds / 1e9;
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static TimeSpan Median(TimeSpan[] times)
    {
        var sorted = times.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
