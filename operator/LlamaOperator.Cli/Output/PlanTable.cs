using System.Globalization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Cli.Output;

/// <summary>The plan of a stage as a text block readable at a glance.</summary>
internal static class PlanTable
{
    private const int MembersShown = 8;

    public static void Write(StagePlan plan, TextWriter output)
    {
        var r = PlanReport.From(plan);
        output.WriteLine($"stage {r.Stage} ({r.Type}): {Count(r.Parameters)} parameters, {r.Layers} layers");
        output.WriteLine($"  world size  {N(r.WorldSize)} GPUs = tp {r.Tp} x cp {r.Cp} x pp {r.Pp} x dp {r.Dp}, on {N(r.Nodes)} pods x {r.GpusPerNode} GPUs");
        output.WriteLine("  groups      size    count  first groups (ranks)");
        foreach (var g in r.Groups)
        {
            var samples = string.Join("  ", g.Samples.Select(Members));
            output.WriteLine($"    {g.Dimension,-8}{g.Size,6} {N(g.Count),8}  {samples}");
        }

        if (r.VirtualStages > 1)
        {
            output.WriteLine($"  pipeline    pp {r.Pp} x {r.VirtualStages} virtual stages (interleaved 1F1B): rank r holds virtual stages {ChunksOfRank(r.Pp, r.VirtualStages)}");
            output.WriteLine($"    layers per virtual stage: {Layers(r.LayersPerVirtualStage)}");
            output.WriteLine($"    layers per rank:          {Layers(r.LayersPerPipelineStage)}");
        }
        else
        {
            output.WriteLine($"  pipeline    layers per stage: {Layers(r.LayersPerPipelineStage)}");
        }

        output.WriteLine($"  batches     micro-batch {r.MicroBatchSize} sequence(s)");
        output.WriteLine("    seq len    batch tokens  seqs/replica  micro-batches  memory/GPU");
        foreach (var p in r.Phases)
        {
            output.WriteLine($"    {N(p.SequenceLength),7}  {N(p.BatchTokens),14}  {N(p.SequencesPerReplica),12}  {N(p.MicroBatches),13}  {Gb(p.Memory.TotalBytes),10}");
        }

        var peak = plan.PeakMemory;
        var phase = plan.Phases.First(p => p.Memory == peak);
        output.WriteLine($"  memory      busiest GPU: pipeline rank {peak.PipelineStage}, sequence length {N(phase.SequenceLength)}");
        output.WriteLine($"    weights     {Gb(peak.WeightsBytes),10}   bf16, {Count(peak.ParametersPerGpu)} parameters on this GPU");
        output.WriteLine($"    gradients   {Gb(peak.GradientsBytes),10}   bf16 whole + fp32 accumulated, sharded over dp");
        output.WriteLine($"    optimizer   {Gb(peak.OptimizerBytes),10}   fp32 master + Adam moments, sharded over dp");
        output.WriteLine($"    activations {Gb(peak.ActivationsBytes),10}   {(plan.ActivationCheckpointing == ActivationCheckpointing.Full ? "each layer's input; one layer recomputed at a time" : "every layer's, kept for backward")}");
        output.WriteLine($"    overhead    {Gb(peak.OverheadBytes),10}");
        output.WriteLine($"    total       {Gb(peak.TotalBytes),10}   of {Gb(peak.GpuMemoryBytes)} per GPU: {(peak.Fits ? "fits" : "DOES NOT FIT")}");
        foreach (var warning in r.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }

        output.WriteLine();
    }

    private static string Members(IReadOnlyList<long> ranks) =>
        ranks.Count <= MembersShown
            ? $"[{string.Join(" ", ranks.Select(N))}]"
            : $"[{string.Join(" ", ranks.Take(MembersShown - 2).Select(N))} .. {string.Join(" ", ranks.Skip(ranks.Count - 2).Select(N))}]";

    /// <summary>r, r+16 for two virtual stages; r, r+16, ..., r+48 for more.</summary>
    private static string ChunksOfRank(int pp, int virtualStages) =>
        virtualStages == 2 ? $"r, r+{N(pp)}" : $"r, r+{N(pp)}, ..., r+{N((long)(virtualStages - 1) * pp)}";

    /// <summary>Runs of equal counts collapsed: 7 8x14 7.</summary>
    private static string Layers(IReadOnlyList<int> layers)
    {
        var parts = new List<string>();
        for (var i = 0; i < layers.Count;)
        {
            var run = 1;
            while (i + run < layers.Count && layers[i + run] == layers[i])
            {
                run++;
            }

            parts.Add(run == 1 ? N(layers[i]) : $"{N(layers[i])}x{N(run)}");
            i += run;
        }

        return string.Join(" ", parts);
    }

    private static string Count(long value) =>
        value >= 1_000_000_000 ? (value / 1e9).ToString("F1", CultureInfo.InvariantCulture) + "B" : (value / 1e6).ToString("F1", CultureInfo.InvariantCulture) + "M";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Gb(long bytes) => (bytes / 1e9).ToString("F1", CultureInfo.InvariantCulture) + " GB";
}
