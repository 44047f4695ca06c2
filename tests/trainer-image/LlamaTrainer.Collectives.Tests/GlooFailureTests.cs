using System.Diagnostics;
using LlamaTrainer.Collectives.Rendezvous;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests;

/// <summary>Timing-sensitive, so not run beside other tests.</summary>
[CollectionDefinition(nameof(GlooFailureTests), DisableParallelization = true)]
public sealed class GlooFailureCollection;

[Collection(nameof(GlooFailureTests))]
public class GlooFailureTests
{
    [Fact]
    public void A_peer_that_leaves_mid_all_reduce_fails_the_others_within_a_second_naming_it()
    {
        var left = new long[1];
        var outcomes = ThreadGang.Run(4, member =>
        {
            var world = member.World();
            using var data = ones(1 << 16);
            if (member.Rank == 3)
            {
                // The others are inside the all-reduce by now; this rank closes its connections instead of joining.
                Thread.Sleep(300);
                Volatile.Write(ref left[0], Stopwatch.GetTimestamp());
                world.Dispose();
                return (Error: (Exception?)null, After: TimeSpan.Zero, Then: (Exception?)null);
            }
            var error = Record.Exception(() => world.AllReduce(data));
            var after = Stopwatch.GetElapsedTime(Volatile.Read(ref left[0]));
            // A real rank would exit now; closing its group passes the failure on to ranks still waiting on it.
            var then = Record.Exception(() => world.AllReduce(data));
            world.Dispose();
            return (Error: error, After: after, Then: then);
        });
        foreach (var (error, after, then) in outcomes.Take(3))
        {
            Assert.IsType<PeerFailureException>(error);
            Assert.True(after < TimeSpan.FromSeconds(1), $"the failure took {after.TotalMilliseconds:0} ms to arrive");
            Assert.Contains("all-reduce in group world (global ranks 0, 1, 2, 3)", error.Message);
            Assert.Contains("unusable after an earlier failure", Assert.IsType<InvalidOperationException>(then).Message);
        }
        Assert.Contains(outcomes.Take(3), o => o.Error!.Message.Contains("global rank 3 closed or lost its connection"));
    }

    [Fact]
    public void A_peer_is_named_whichever_side_of_their_pair_connected_first()
    {
        // Which rank of a pair listens and which connects follows from their random ports. When the connecting rank
        // gets there before the listening rank reaches that pair, Gloo names the peer by its published listening
        // address instead of the connected socket's far end; a rank slow to read the others' addresses forces that
        // whenever it is the listening side, so alternating the slow rank over several rounds meets both cases.
        for (var round = 0; round < 6; round++)
        {
            var slow = round % 2;
            var outcomes = ThreadGang.Run(2, member =>
            {
                var world = member.World();
                if (member.Rank != slow)
                {
                    Thread.Sleep(200);
                    world.Dispose();
                    return null;
                }
                using var data = ones(1024);
                var error = Record.Exception(() => world.AllReduce(data));
                world.Dispose();
                return error;
            }, storeOf: (rank, store) => rank == slow ? new SlowToReadAddresses(store, TimeSpan.FromMilliseconds(300)) : store);
            var failure = Assert.IsType<PeerFailureException>(outcomes[slow]);
            Assert.Contains($"global rank {1 - slow} closed or lost its connection", failure.Message);
        }
    }

    /// <summary>Delays reads of Gloo's own address entries (keys ending in a bare rank number).</summary>
    private sealed class SlowToReadAddresses(IKeyValueStore inner, TimeSpan delay) : IKeyValueStore
    {
        public string Address => inner.Address;

        public void Set(string key, byte[] value) => inner.Set(key, value);

        public byte[] Get(string key)
        {
            Delay([key]);
            return inner.Get(key);
        }

        public long Add(string key, long delta) => inner.Add(key, delta);

        public void Wait(IReadOnlyList<string> keys, TimeSpan? timeout = null)
        {
            Delay(keys);
            inner.Wait(keys, timeout);
        }

        public IReadOnlyList<bool> Check(IReadOnlyList<string> keys) => inner.Check(keys);

        public void Dispose() { }

        private void Delay(IReadOnlyList<string> keys)
        {
            if (keys.Any(k => !k.Contains("pairs/") && k.Split('/')[^1].All(char.IsAsciiDigit)))
                Thread.Sleep(delay);
        }
    }

    [Fact]
    public void A_silent_peer_times_the_collective_out_after_the_timeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        var outcomes = ThreadGang.Run(2, member =>
        {
            using var world = member.World();
            if (member.Rank == 1)
            {
                // Alive and connected, but never joins the all-reduce.
                Thread.Sleep(timeout * 3);
                return (Error: (Exception?)null, Took: TimeSpan.Zero);
            }
            using var data = ones(1024);
            var started = Stopwatch.GetTimestamp();
            var error = Record.Exception(() => world.AllReduce(data));
            return (Error: error, Took: Stopwatch.GetElapsedTime(started));
        }, collectiveTimeout: timeout);
        var (error, took) = outcomes[0];
        var timedOut = Assert.IsType<CollectiveTimeoutException>(error);
        Assert.Contains("did not complete within 1 s", timedOut.Message);
        Assert.InRange(took, timeout * 0.9, timeout + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void A_member_that_never_creates_the_group_fails_the_others_naming_the_group_and_the_missing_key()
    {
        var outcomes = ThreadGang.Run(2, member => member.Rank == 1
            ? null
            : Record.Exception(() => member.World()), storeTimeout: TimeSpan.FromMilliseconds(500));
        var error = Assert.IsType<CollectiveTimeoutException>(outcomes[0]);
        Assert.StartsWith("connecting Gloo group world (global ranks 0, 1) at global rank 0 (bind address 127.0.0.1): key", error.Message);
        Assert.Contains("gloo/world/", error.Message);
        Assert.Contains("not set at the rendezvous store 127.0.0.1:", error.Message);
    }
}
