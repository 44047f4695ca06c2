using LlamaOperator.Api.Resolution;

namespace LlamaOperator.Api.Layout;

/// <summary>
/// The 4D mesh of one stage mapped onto nodes. Ranks follow Llama 3's order [TP, CP, PP, DP], TP innermost:
/// rank = tp + TP*(cp + CP*(pp + PP*dp)); node = rank / gpusPerNode. Everything is computed on demand.
/// Create re-checks the invariants the layout depends on (the job validator reports them with the rest).
/// </summary>
public sealed record ParallelLayout
{
    private ParallelLayout(int tp, int cp, int pp, int dp, int gpusPerNode)
    {
        Tp = tp;
        Cp = cp;
        Pp = pp;
        Dp = dp;
        GpusPerNode = gpusPerNode;
    }

    public int Tp { get; }

    public int Cp { get; }

    public int Pp { get; }

    public int Dp { get; }

    public int GpusPerNode { get; }

    public long WorldSize => (long)Tp * Cp * Pp * Dp;

    public long Nodes => WorldSize / GpusPerNode;

    /// <summary>GPUs holding one full copy of the model: one DP replica.</summary>
    public long ReplicaSize => (long)Tp * Cp * Pp;

    /// <param name="field">Path of the parallelism spec, for error messages (e.g. spec.stages[0].parallelism).</param>
    public static ParallelLayout Create(ResolvedParallelism parallelism, int gpusPerNode, string field)
    {
        RequirePositive(parallelism.Tp, field + ".tp");
        RequirePositive(parallelism.Cp, field + ".cp");
        RequirePositive(parallelism.Pp, field + ".pp");
        RequirePositive(parallelism.Dp, field + ".dp");
        RequirePositive(gpusPerNode, "spec.cluster.gpusPerNode");

        // TP needs NVLink bandwidth: a TP group must never straddle two nodes.
        if (gpusPerNode % parallelism.Tp != 0)
        {
            throw new PlanException(field + ".tp", $"tp={parallelism.Tp} must divide spec.cluster.gpusPerNode={gpusPerNode} so that every tensor-parallel group stays inside one node");
        }

        var layout = new ParallelLayout(parallelism.Tp, parallelism.Cp, parallelism.Pp, parallelism.Dp, gpusPerNode);
        if (layout.WorldSize % gpusPerNode != 0)
        {
            throw new PlanException(field, $"world size tp*cp*pp*dp = {layout.WorldSize} must be a multiple of spec.cluster.gpusPerNode={gpusPerNode}: every pod runs gpusPerNode processes");
        }

        return layout;
    }

    public int Degree(ParallelDimension dimension) => dimension switch
    {
        ParallelDimension.Tp => Tp,
        ParallelDimension.Cp => Cp,
        ParallelDimension.Pp => Pp,
        ParallelDimension.Dp => Dp,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    /// <summary>Rank distance between neighbours of a group: the product of the degrees inside it.</summary>
    public long Stride(ParallelDimension dimension) => dimension switch
    {
        ParallelDimension.Tp => 1,
        ParallelDimension.Cp => Tp,
        ParallelDimension.Pp => (long)Tp * Cp,
        ParallelDimension.Dp => (long)Tp * Cp * Pp,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    public long RankOf(RankCoordinates c)
    {
        if ((uint)c.Tp >= (uint)Tp || (uint)c.Cp >= (uint)Cp || (uint)c.Pp >= (uint)Pp || (uint)c.Dp >= (uint)Dp)
        {
            throw new ArgumentOutOfRangeException(nameof(c), $"{c} is outside the mesh tp={Tp} cp={Cp} pp={Pp} dp={Dp}");
        }

        return c.Tp + ((long)Tp * (c.Cp + ((long)Cp * (c.Pp + ((long)Pp * c.Dp)))));
    }

    public RankCoordinates CoordinatesOf(long rank)
    {
        CheckRank(rank);
        return new RankCoordinates(
            (int)(rank % Tp),
            (int)(rank / Tp % Cp),
            (int)(rank / ((long)Tp * Cp) % Pp),
            (int)(rank / ((long)Tp * Cp * Pp)));
    }

    public long NodeOf(long rank)
    {
        CheckRank(rank);
        return rank / GpusPerNode;
    }

    public int LocalRankOf(long rank)
    {
        CheckRank(rank);
        return (int)(rank % GpusPerNode);
    }

    /// <summary>
    /// The DP replica of a node's first rank. A node holds ranks of several replicas when tp*cp*pp &lt; gpusPerNode;
    /// it is labelled with the first of them (placement then keeps that replica's nodes together).
    /// </summary>
    public int DpReplicaOfNode(long node)
    {
        if (node < 0 || node >= Nodes)
        {
            throw new ArgumentOutOfRangeException(nameof(node), $"node {node} is outside 0..{Nodes - 1}");
        }

        return (int)(node * GpusPerNode / ReplicaSize);
    }

    public long GroupCount(ParallelDimension dimension) => WorldSize / Degree(dimension);

    /// <summary>The group of the given dimension that contains the rank.</summary>
    public RankGroup GroupOf(ParallelDimension dimension, long rank)
    {
        CheckRank(rank);
        var stride = Stride(dimension);
        var size = Degree(dimension);
        var own = rank / stride % size;
        return new RankGroup(dimension, rank - (own * stride), stride, size);
    }

    /// <summary>Group number <paramref name="index"/> of a dimension, ordered by first rank.</summary>
    public RankGroup Group(ParallelDimension dimension, long index)
    {
        var count = GroupCount(dimension);
        if (index < 0 || index >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"there are {count} {dimension} groups");
        }

        var stride = Stride(dimension);
        var size = Degree(dimension);
        var first = (index % stride) + (index / stride * stride * size);
        return new RankGroup(dimension, first, stride, size);
    }

    private void CheckRank(long rank)
    {
        if (rank < 0 || rank >= WorldSize)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is outside 0..{WorldSize - 1}");
        }
    }

    private static void RequirePositive(int value, string field)
    {
        if (value < 1)
        {
            throw new PlanException(field, $"expected an integer >= 1, got {value}");
        }
    }
}
