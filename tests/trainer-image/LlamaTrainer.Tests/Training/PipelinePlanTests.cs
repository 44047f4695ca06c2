using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

public class PipelinePlanTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var shapes = new TheoryData<int, int, int>();
        for (var ranks = 1; ranks <= 4; ranks++)
        {
            for (var virtualStages = 1; virtualStages <= (ranks == 1 ? 1 : 3); virtualStages++)
            {
                for (var microBatches = 1; microBatches <= 12; microBatches++)
                {
                    if (virtualStages == 1 || microBatches % ranks == 0)
                    {
                        shapes.Add(ranks, virtualStages, microBatches);
                    }
                }
            }
        }

        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_rank_runs_each_of_its_computes_once_after_what_it_needs(int ranks, int virtualStages, int microBatches)
    {
        var plans = PipelinePlan.Of(ranks, virtualStages, microBatches);
        var lastStage = ranks * virtualStages - 1;
        for (var rank = 0; rank < ranks; rank++)
        {
            var computes = plans[rank].OfType<ComputeEvent>().Select(e => e.Compute).ToList();
            var expected = from work in new[] { PipelineWork.Forward, PipelineWork.Backward }
                           from chunk in Enumerable.Range(0, virtualStages)
                           from microBatch in Enumerable.Range(0, microBatches)
                           select new PipelineCompute(work, chunk, microBatch);
            Assert.Equal(expected.ToHashSet(), computes.ToHashSet());
            Assert.Equal(computes.Count, computes.Distinct().Count());

            var have = new HashSet<PipelineMessage>();
            var done = new HashSet<PipelineCompute>();
            foreach (var step in plans[rank])
            {
                if (step is WaitEvent wait)
                {
                    have.Add(wait.Message);
                    continue;
                }

                if (step is PostEvent)
                {
                    continue;
                }

                var (work, chunk, microBatch) = ((ComputeEvent)step).Compute;
                var stage = chunk * ranks + rank;
                if (work == PipelineWork.Forward && stage > 0)
                {
                    Assert.Contains(new PipelineMessage(PipelineWork.Forward, stage - 1, microBatch), have);
                }

                if (work == PipelineWork.Backward)
                {
                    Assert.Contains(new PipelineCompute(PipelineWork.Forward, chunk, microBatch), done);
                    if (stage < lastStage)
                    {
                        Assert.Contains(new PipelineMessage(PipelineWork.Backward, stage + 1, microBatch), have);
                    }
                }

                done.Add(((ComputeEvent)step).Compute);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_gang_never_waits_on_itself_whatever_the_compute_times(int ranks, int virtualStages, int microBatches)
    {
        var plans = PipelinePlan.Of(ranks, virtualStages, microBatches);
        var random = new Random(ranks * 100 + virtualStages * 10 + microBatches);
        for (var trial = 0; trial < 5; trial++)
        {
            Run(plans, ranks, _ => random.Next(1, 20));
        }
    }

    [Theory]
    [InlineData(2, 1, 4)]
    [InlineData(4, 1, 8)]
    [InlineData(2, 2, 4)]
    [InlineData(2, 3, 8)]
    [InlineData(3, 2, 6)]
    [InlineData(4, 2, 8)]
    [InlineData(4, 3, 8)]
    [InlineData(4, 2, 16)]
    [InlineData(8, 4, 16)]
    [InlineData(8, 4, 64)]
    public void The_bubble_is_the_formulas(int ranks, int virtualStages, int microBatches)
    {
        // A chunk's forward takes 1 and its backward 2, so the ideal step is 3 x V x M; the bubble is (P - 1) x 3 (a
        // chunk's forward and backward on each other rank), (P - 1) / (V x M) of the ideal: V times smaller than 1F1B's.
        var plans = PipelinePlan.Of(ranks, virtualStages, microBatches);
        var makespan = Run(plans, ranks, c => c.Work == PipelineWork.Forward ? 1 : 2);
        Assert.Equal(3 * ((virtualStages * microBatches) + ranks - 1), makespan);
    }


    [Theory]
    [InlineData(4, 8)]
    [InlineData(3, 2)]
    public void One_stage_a_rank_is_1F1B(int ranks, int microBatches)
    {
        for (var rank = 0; rank < ranks; rank++)
        {
            var order = PipelinePlan.Order(ranks, 1, microBatches, rank);
            var warmup = Math.Min(ranks - rank - 1, microBatches);
            Assert.All(order.Take(warmup), c => Assert.Equal(PipelineWork.Forward, c.Work));
            Assert.Equal(new PipelineCompute(PipelineWork.Backward, 0, 0), order[warmup + 1 < order.Count && warmup < microBatches ? warmup + 1 : warmup]);
            // In flight on rank r: at most P - r micro-batches.
            var inFlight = 0;
            foreach (var compute in order)
            {
                inFlight += compute.Work == PipelineWork.Forward ? 1 : -1;
                Assert.InRange(inFlight, 0, ranks - rank);
            }
        }
    }

    [Fact]
    public void Virtual_stages_need_a_pipeline_and_whole_groups_of_micro_batches()
    {
        Assert.Contains("2 virtual stages need a pipeline of more than one rank", Assert.Throws<ArgumentException>(() => PipelinePlan.Of(1, 2, 4)).Message);
        Assert.Contains("micro-batches a step per data-parallel rank (6) to be a multiple of the pipeline's 4 ranks", Assert.Throws<ArgumentException>(() => PipelinePlan.Of(4, 2, 6)).Message);
    }

    /// <summary>
    /// Plays the plans out as a gang would: computes take <paramref name="duration"/>; a post returns at once; a wait
    /// returns once the peer has posted its side of the message (with the same messages before it between the two, as
    /// the engines match them in order). Fails on a wait that never ends; returns the time the last rank finishes.
    /// </summary>
    private static long Run(IReadOnlyList<IReadOnlyList<PipelineEvent>> plans, int ranks, Func<PipelineCompute, long> duration)
    {
        var next = new int[ranks];
        var clock = new long[ranks];
        var posted = new Dictionary<(PipelineMessage Message, int Rank), long>();
        // Per rank and peer, the messages between the two in the order this rank posted them.
        var order = new Dictionary<(int Rank, int Peer), List<PipelineMessage>>();
        while (!Enumerable.Range(0, ranks).All(r => next[r] == plans[r].Count))
        {
            var progressed = false;
            for (var rank = 0; rank < ranks; rank++)
            {
                while (next[rank] < plans[rank].Count)
                {
                    var step = plans[rank][next[rank]];
                    if (step is ComputeEvent compute)
                    {
                        clock[rank] += duration(compute.Compute);
                    }
                    else if (step is PostEvent post)
                    {
                        foreach (var message in post.Messages)
                        {
                            Assert.True(posted.TryAdd((message, rank), clock[rank]), $"rank {rank} posts {message} twice");
                            var peer = Other(message, rank, ranks);
                            var mine = order.TryGetValue((rank, peer), out var list) ? list : order[(rank, peer)] = [];
                            mine.Add(message);
                        }
                    }
                    else
                    {
                        var message = ((WaitEvent)step).Message;
                        var peer = Other(message, rank, ranks);
                        if (!posted.TryGetValue((message, peer), out var theirs))
                        {
                            break;
                        }

                        // Same direction, same order on both sides.
                        bool Sent(PipelineMessage m, int by) => m.FromStage % ranks == by;
                        Assert.Equal(
                            order[(rank, peer)].Where(m => Sent(m, rank) == Sent(message, rank)).TakeWhile(m => m != message),
                            order[(peer, rank)].Where(m => Sent(m, rank) == Sent(message, rank)).TakeWhile(m => m != message));
                        clock[rank] = Math.Max(clock[rank], theirs);
                    }

                    next[rank]++;
                    progressed = true;
                }
            }

            Assert.True(progressed, $"the gang waits on itself: {string.Join("; ", Enumerable.Range(0, ranks).Select(r => $"rank {r} at event {next[r]} of {plans[r].Count}"))}");
        }

        return clock.Max();
    }

    private static int Other(PipelineMessage message, int rank, int ranks) =>
        message.FromStage % ranks == rank ? message.ToStage % ranks : message.FromStage % ranks;
}
