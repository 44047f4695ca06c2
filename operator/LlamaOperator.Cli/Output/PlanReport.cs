using LlamaOperator.Api.Layout;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Cli.Output;

/// <summary>What `llamaop plan` shows of a stage plan: the JSON output as is, and the source of the table.</summary>
internal sealed record PlanReport(
    string Stage,
    string Type,
    long Parameters,
    int Layers,
    long WorldSize,
    long Nodes,
    int GpusPerNode,
    int Tp,
    int Cp,
    int Pp,
    int Dp,
    IReadOnlyList<GroupReport> Groups,
    IReadOnlyList<int> LayersPerPipelineStage,
    int VirtualStages,
    IReadOnlyList<int> LayersPerVirtualStage,
    int MicroBatchSize,
    IReadOnlyList<PhaseReport> Phases,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Groups shown per dimension: enough to see the stride, few enough to print 16K-GPU layouts.</summary>
    public const int SampleGroups = 2;

    public static PlanReport From(StagePlan plan)
    {
        var layout = plan.Layout;
        var groups = Enum.GetValues<ParallelDimension>()
            .Select(d => new GroupReport(
                d.ToString().ToUpperInvariant(),
                layout.Degree(d),
                layout.GroupCount(d),
                [.. Enumerable.Range(0, (int)Math.Min(SampleGroups, layout.GroupCount(d))).Select(g => layout.Group(d, g).Members().ToList())]))
            .ToList();
        var phases = plan.Phases.Select(p => new PhaseReport(p.SequenceLength, p.BatchTokens, p.SequencesPerReplica, p.MicroBatches, MemoryReport.From(p.Memory))).ToList();
        return new PlanReport(
            plan.StageName, plan.StageType.ToString(), plan.Model.ParameterCount, plan.Model.Layers,
            layout.WorldSize, layout.Nodes, layout.GpusPerNode, layout.Tp, layout.Cp, layout.Pp, layout.Dp,
            groups, plan.LayersPerPipelineStage, plan.Pipeline.VirtualStages, plan.Pipeline.LayersPerVirtualStage, plan.MicroBatchSize, phases, plan.Warnings);
    }
}

internal sealed record GroupReport(string Dimension, int Size, long Count, IReadOnlyList<IReadOnlyList<long>> Samples);

internal sealed record PhaseReport(int SequenceLength, long BatchTokens, long SequencesPerReplica, long MicroBatches, MemoryReport Memory);

internal sealed record MemoryReport(
    int PipelineStage,
    long ParametersPerGpu,
    long WeightsBytes,
    long GradientsBytes,
    long OptimizerBytes,
    long ActivationsBytes,
    long OverheadBytes,
    long TotalBytes,
    long GpuMemoryBytes,
    bool Fits)
{
    public static MemoryReport From(MemoryEstimate m) => new(
        m.PipelineStage, m.ParametersPerGpu, m.WeightsBytes, m.GradientsBytes, m.OptimizerBytes, m.ActivationsBytes, m.OverheadBytes, m.TotalBytes, m.GpuMemoryBytes, m.Fits);
}
