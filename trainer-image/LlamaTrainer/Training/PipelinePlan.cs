namespace LlamaTrainer.Training;

public enum PipelineWork
{
    Forward,
    Backward,
}

/// <summary>A forward or a backward of chunk <paramref name="Chunk"/> of a rank's stages, on micro-batch <paramref name="MicroBatch"/>.</summary>
public sealed record PipelineCompute(PipelineWork Work, int Chunk, int MicroBatch);

/// <summary>
/// What stage <paramref name="FromStage"/> hands on for micro-batch <paramref name="MicroBatch"/>: its output to the
/// next stage (Forward), or the gradient of its input to the previous stage (Backward).
/// </summary>
public sealed record PipelineMessage(PipelineWork Work, int FromStage, int MicroBatch)
{
    public int ToStage => Work == PipelineWork.Forward ? FromStage + 1 : FromStage - 1;
}

/// <summary>One thing a pipeline rank does, in its order: a compute, or starting or finishing transfers.</summary>
public abstract record PipelineEvent;

public sealed record ComputeEvent(PipelineCompute Compute) : PipelineEvent;

/// <summary>
/// Starts the sends and receives of <paramref name="Messages"/> (in one <see cref="Collectives.ICommunicator.Start"/>,
/// in this order) that this rank takes part in; each peer starts its side in the same order.
/// </summary>
public sealed record PostEvent(IReadOnlyList<PipelineMessage> Messages) : PipelineEvent;

/// <summary>Finishes this rank's side of <paramref name="Message"/>: the receive before the compute that needs it, the send before its tensor is freed.</summary>
public sealed record WaitEvent(PipelineMessage Message) : PipelineEvent;

/// <summary>
/// One step's pipeline work on every rank, decided before any of it runs: a pure function of the pipeline's ranks, the
/// virtual stages per rank and the micro-batches.
/// <para>
/// The compute order is Megatron's: with one stage per rank, 1F1B (rank r runs min(P - r - 1, M) forwards, then
/// alternates a forward and a backward, then the remaining backwards); with V virtual stages, the interleaved
/// schedule (micro-batches in groups of P, every chunk's forwards of a group before the next group's, backwards in
/// the reverse chunk order; (P - r - 1) x 2 + (V - 1) x P warm-up forwards), which needs M to be a multiple of P
/// (with a smaller last group, that warm-up can leave the ranks waiting on each other).
/// </para>
/// <para>
/// The transfers come from playing the orders out (a forward takes one time unit, a backward two). A message is
/// posted by its sender when it finishes it (time f), by its receiver at its first moment between computes from f
/// on (b), waited for by the receiver when a compute needs it, and by the sender at its first moment between
/// computes from b on; at one time a rank posts, then waits, then computes. Every wait needs only what its peer
/// posts no later, so the gang cannot wait on itself whatever the real durations (and on a GPU, whose stream runs a
/// send only once the receive is posted, no later than the receiver's first moment at which it could need anything
/// the sender computes after f). With those durations nobody waits beyond the schedule's own bubble: (P - 1) x
/// (forward + backward) of one stage, (P - 1) / (V x M) of the ideal step.
/// </para>
/// </summary>
public static class PipelinePlan
{
    /// <summary>Every rank's events, by pipeline rank.</summary>
    public static IReadOnlyList<IReadOnlyList<PipelineEvent>> Of(int ranks, int virtualStages, int microBatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualStages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        if (virtualStages > 1 && ranks == 1)
        {
            throw new ArgumentException($"{virtualStages} virtual stages need a pipeline of more than one rank", nameof(virtualStages));
        }

        if (virtualStages > 1 && microBatches % ranks != 0)
        {
            throw new ArgumentException(
                $"the interleaved schedule ({virtualStages} virtual stages a rank) needs the micro-batches a step per data-parallel rank ({microBatches}) to be a multiple of the pipeline's {ranks} ranks (as Megatron-LM does)",
                nameof(microBatches));
        }

        var orders = Enumerable.Range(0, ranks).Select(r => Order(ranks, virtualStages, microBatches, r)).ToList();
        var (starts, finishes) = PlayOut(orders, ranks, virtualStages);
        var lastStage = ranks * virtualStages - 1;

        // Each rank's computes as [start, finish) intervals in start order: a rank posts and waits only between them.
        var busy = Enumerable.Range(0, ranks)
            .Select(r => starts.Where(s => s.Key.Stage % ranks == r).Select(s => (Start: s.Value, Finish: finishes[s.Key])).OrderBy(i => i.Start).ToList())
            .ToList();
        var events = Enumerable.Range(0, ranks).Select(_ => new List<(long Time, int Kind, long Sent, PipelineEvent Event)>()).ToList();
        var posts = new List<(int Rank, long Time, long Sent, PipelineMessage Message)>();
        foreach (var ((work, stage, microBatch), finished) in finishes)
        {
            if (work == PipelineWork.Forward ? stage == lastStage : stage == 0)
            {
                continue;
            }

            var message = new PipelineMessage(work, stage, microBatch);
            var (from, to) = (message.FromStage % ranks, message.ToStage % ranks);
            var received = Free(busy[to], finished);
            posts.Add((from, finished, finished, message));
            posts.Add((to, received, finished, message));
            events[to].Add((starts[(work, message.ToStage, microBatch)], 1, finished, new WaitEvent(message)));
            events[from].Add((Free(busy[from], received), 1, finished, new WaitEvent(message)));
        }

        foreach (var group in posts.GroupBy(p => (p.Rank, p.Time)))
        {
            var messages = group.OrderBy(p => p.Sent).ThenBy(p => p.Message.Work).ThenBy(p => p.Message.FromStage).ThenBy(p => p.Message.MicroBatch).Select(p => p.Message);
            events[group.Key.Rank].Add((group.Key.Time, 0, 0, new PostEvent([.. messages])));
        }

        for (var rank = 0; rank < ranks; rank++)
        {
            var r = rank;
            events[r].AddRange(orders[r].Select(c => (starts[(c.Work, c.Chunk * ranks + r, c.MicroBatch)], 2, 0L, (PipelineEvent)new ComputeEvent(c))));
        }

        return [.. events.Select(e => (IReadOnlyList<PipelineEvent>)[.. e.OrderBy(x => x.Time).ThenBy(x => x.Kind).ThenBy(x => x.Sent).Select(x => x.Event)])];
    }

    // The first moment from `time` on at which a rank whose computes are `busy` is between two of them.
    private static long Free(List<(long Start, long Finish)> busy, long time)
    {
        var at = busy.FindLastIndex(i => i.Start < time);
        return at >= 0 && busy[at].Finish > time ? busy[at].Finish : time;
    }

    /// <summary>Rank <paramref name="rank"/>'s computes in Megatron's order (see the class).</summary>
    public static IReadOnlyList<PipelineCompute> Order(int ranks, int virtualStages, int microBatches, int rank)
    {
        var forwards = new List<PipelineCompute>();
        var backwards = new List<PipelineCompute>();
        for (var group = 0; group < microBatches; group += ranks)
        {
            var members = Enumerable.Range(group, Math.Min(ranks, microBatches - group)).ToList();
            for (var chunk = 0; chunk < virtualStages; chunk++)
            {
                forwards.AddRange(members.Select(m => new PipelineCompute(PipelineWork.Forward, chunk, m)));
                backwards.AddRange(members.Select(m => new PipelineCompute(PipelineWork.Backward, virtualStages - 1 - chunk, m)));
            }
        }

        var total = forwards.Count;
        var warmup = Math.Min(total, virtualStages == 1 ? ranks - rank - 1 : (ranks - rank - 1) * 2 + (virtualStages - 1) * ranks);
        var order = new List<PipelineCompute>(2 * total);
        order.AddRange(forwards.Take(warmup));
        for (var i = warmup; i < total; i++)
        {
            order.Add(forwards[i]);
            order.Add(backwards[i - warmup]);
        }

        order.AddRange(backwards.Skip(total - warmup));
        return order;
    }

    // Start and finish times of every compute, by (work, stage, micro-batch), each rank running its order one at a time
    // and each compute waiting for what it needs.
    private static (Dictionary<(PipelineWork Work, int Stage, int MicroBatch), long> Starts, Dictionary<(PipelineWork Work, int Stage, int MicroBatch), long> Finishes)
        PlayOut(List<IReadOnlyList<PipelineCompute>> orders, int ranks, int virtualStages)
    {
        var lastStage = ranks * virtualStages - 1;
        var starts = new Dictionary<(PipelineWork, int, int), long>();
        var finishes = new Dictionary<(PipelineWork Work, int Stage, int MicroBatch), long>();
        var next = new int[ranks];
        var free = new long[ranks];
        var left = orders.Sum(o => o.Count);
        while (left > 0)
        {
            var progressed = false;
            for (var rank = 0; rank < ranks; rank++)
            {
                while (next[rank] < orders[rank].Count)
                {
                    var (work, chunk, microBatch) = orders[rank][next[rank]];
                    var stage = chunk * ranks + rank;
                    (PipelineWork, int, int)[] needs = work == PipelineWork.Forward
                        ? stage == 0 ? [] : [(PipelineWork.Forward, stage - 1, microBatch)]
                        : stage == lastStage ? [(PipelineWork.Forward, stage, microBatch)] : [(PipelineWork.Forward, stage, microBatch), (PipelineWork.Backward, stage + 1, microBatch)];
                    if (!needs.All(finishes.ContainsKey))
                    {
                        break;
                    }

                    var start = needs.Select(n => finishes[n]).Append(free[rank]).Max();
                    starts[(work, stage, microBatch)] = start;
                    free[rank] = finishes[(work, stage, microBatch)] = start + (work == PipelineWork.Forward ? 1 : 2);
                    next[rank]++;
                    left--;
                    progressed = true;
                }
            }

            if (!progressed)
            {
                var waiting = Enumerable.Range(0, ranks).Where(r => next[r] < orders[r].Count).Select(r => $"rank {r} at {orders[r][next[r]]}");
                throw new InvalidOperationException($"the pipeline order cannot proceed: {string.Join("; ", waiting)}");
            }
        }

        return (starts, finishes);
    }
}
