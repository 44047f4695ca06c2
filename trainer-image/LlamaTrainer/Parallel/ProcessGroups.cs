using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaTrainer.Collectives;

namespace LlamaTrainer.Parallel;

/// <summary>
/// This rank's communicators: the world and its group in every parallel dimension, derived from the one rank-layout
/// rule (<see cref="ParallelLayout.GroupOf"/>). A dimension of degree 1 gets a group of one, which needs no engine.
/// </summary>
public sealed class ProcessGroups : IDisposable
{
    private readonly ICollectiveBackend? _backend;
    private readonly MeteredCommunicator _world, _tp, _cp, _pp, _dp;

    private ProcessGroups(ParallelLayout layout, int rank, ICollectiveBackend? backend)
    {
        Layout = layout;
        Rank = rank;
        _backend = backend;
        // Every rank connects its groups in this order: a group's connect waits for all its members.
        _world = Group("world", [.. Enumerable.Range(0, (int)layout.WorldSize)]);
        _tp = Group(ParallelDimension.Tp);
        _cp = Group(ParallelDimension.Cp);
        _pp = Group(ParallelDimension.Pp);
        _dp = Group(ParallelDimension.Dp);
    }

    public ParallelLayout Layout { get; }

    /// <summary>Global rank.</summary>
    public int Rank { get; }

    public ICommunicator World => _world;

    /// <summary>The ranks that split each layer's matrices with this one (inside a node).</summary>
    public ICommunicator Tp => _tp;

    /// <summary>The ranks that split each sequence with this one.</summary>
    public ICommunicator Cp => _cp;

    /// <summary>The pipeline: one rank per stage of this replica's layers.</summary>
    public ICommunicator Pp => _pp;

    /// <summary>The replicas of this rank's shard of the model, which split the batch (and the optimizer state).</summary>
    public ICommunicator Dp => _dp;

    /// <summary>The bytes this rank's collectives have moved so far in each group (see <see cref="MeteredCommunicator"/>).</summary>
    public GroupTraffic Traffic() => new(_world.BytesMoved, _tp.BytesMoved, _cp.BytesMoved, _pp.BytesMoved, _dp.BytesMoved);

    /// <summary>One process, alone in every group (tests, benchmarks, evaluation).</summary>
    public static ProcessGroups Single() => Solo(ParallelLayout.Create(new ResolvedParallelism(1, 1, 1, 1), 1, "parallelism"));

    /// <summary>A single process: every group has one member.</summary>
    public static ProcessGroups Solo(ParallelLayout layout) =>
        layout.WorldSize == 1
            ? new ProcessGroups(layout, 0, backend: null)
            : throw new ArgumentException($"a layout of {layout.WorldSize} ranks needs a collective backend", nameof(layout));

    /// <summary>Connects this rank's groups through <paramref name="backend"/>, which the groups then own.</summary>
    public static ProcessGroups Connect(ParallelLayout layout, int rank, ICollectiveBackend backend) => new(layout, rank, backend);

    /// <summary>Disposes the backend, and with it every group it connected.</summary>
    public void Dispose() => _backend?.Dispose();

    private MeteredCommunicator Group(ParallelDimension dimension)
    {
        var group = Layout.GroupOf(dimension, Rank);
        // Named by dimension and first member: unique in the gang, the same on every member.
        return Group($"{dimension.ToString().ToLowerInvariant()}-{group.First}", [.. group.Members().Select(r => (int)r)]);
    }

    private MeteredCommunicator Group(string name, IReadOnlyList<int> members) =>
        new(members.Count == 1 ? new SoloCommunicator(Rank, $"{name} (rank {Rank} alone)") : _backend!.CreateGroup(name, members));
}

/// <summary>Bytes moved by one rank's collectives in each of its groups.</summary>
public sealed record GroupTraffic(long World, long Tp, long Cp, long Pp, long Dp)
{
    public static GroupTraffic operator -(GroupTraffic after, GroupTraffic before) =>
        new(after.World - before.World, after.Tp - before.Tp, after.Cp - before.Cp, after.Pp - before.Pp, after.Dp - before.Dp);
}
