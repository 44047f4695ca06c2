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

    private ProcessGroups(ParallelLayout layout, int rank, ICollectiveBackend? backend)
    {
        Layout = layout;
        Rank = rank;
        _backend = backend;
        // Every rank connects its groups in this order: a group's connect waits for all its members.
        World = Group("world", [.. Enumerable.Range(0, (int)layout.WorldSize)]);
        Tp = Group(ParallelDimension.Tp);
        Cp = Group(ParallelDimension.Cp);
        Pp = Group(ParallelDimension.Pp);
        Dp = Group(ParallelDimension.Dp);
    }

    public ParallelLayout Layout { get; }

    /// <summary>Global rank.</summary>
    public int Rank { get; }

    public ICommunicator World { get; }

    /// <summary>The ranks that split each layer's matrices with this one (inside a node).</summary>
    public ICommunicator Tp { get; }

    /// <summary>The ranks that split each sequence with this one.</summary>
    public ICommunicator Cp { get; }

    /// <summary>The pipeline: one rank per stage of this replica's layers.</summary>
    public ICommunicator Pp { get; }

    /// <summary>The replicas of this rank's shard of the model, which split the batch (and the optimizer state).</summary>
    public ICommunicator Dp { get; }

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

    private ICommunicator Group(ParallelDimension dimension)
    {
        var group = Layout.GroupOf(dimension, Rank);
        // Named by dimension and first member: unique in the gang, the same on every member.
        return Group($"{dimension.ToString().ToLowerInvariant()}-{group.First}", [.. group.Members().Select(r => (int)r)]);
    }

    private ICommunicator Group(string name, IReadOnlyList<int> members)
    {
        if (members.Count == 1)
        {
            return new SoloCommunicator(Rank, $"{name} (rank {Rank} alone)");
        }

        return _backend!.CreateGroup(name, members);
    }
}
