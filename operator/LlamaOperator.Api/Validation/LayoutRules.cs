using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>
/// The 4D layout must fit the nodes and the model: whole nodes, TP inside a node, heads split evenly
/// by TP (K/V heads split or replicated whole, see <see cref="TensorParallelSplit"/>), at least one layer per pipeline stage
/// and per virtual stage, virtual stages only with pp > 1 (see <see cref="VirtualPipelineSplit"/>), pod names within 63 chars.
/// </summary>
internal static class LayoutRules
{
    private const int MaxPodNameLength = 63;

    public static void Check(LlamaTrainingJob job, List<ValidationProblem> problems)
    {
        var spec = job.Spec;
        if (spec.Cluster is null || spec.Stages is null)
        {
            return;
        }

        var gpusPerNode = spec.Cluster.GpusPerNode;
        var model = JobModel.Resolve(spec);
        for (var i = 0; i < spec.Stages.Count; i++)
        {
            var stage = spec.Stages[i];
            if (stage?.Parallelism is not { Tp: > 0, Cp: > 0, Pp: > 0, Dp: > 0 } p)
            {
                continue;
            }

            var path = $"spec.stages[{i}].parallelism";
            var world = p.WorldSize;
            if (p.Gpus is { } gpus && gpus != world)
            {
                problems.Add(ValidationProblem.Error($"{path}.gpus", $"expected tp*cp*pp*dp = {p.Tp}*{p.Cp}*{p.Pp}*{p.Dp} = {world} GPUs, found gpus {gpus}"));
            }

            if (gpusPerNode > 0)
            {
                if (world % gpusPerNode != 0)
                {
                    problems.Add(ValidationProblem.Error(path, $"expected a world size (tp*cp*pp*dp) that is a multiple of gpusPerNode ({gpusPerNode}), found {world}"));
                }

                if (p.Tp > gpusPerNode)
                {
                    problems.Add(ValidationProblem.Error($"{path}.tp", $"expected at most gpusPerNode ({gpusPerNode}): tensor parallelism stays inside a node, found {p.Tp}"));
                }
                else if (gpusPerNode % p.Tp != 0)
                {
                    problems.Add(ValidationProblem.Error($"{path}.tp", $"expected a divisor of gpusPerNode ({gpusPerNode}): tensor parallelism stays inside a node, found {p.Tp}"));
                }

                CheckPodNames(job.Metadata?.Name, stage.Name, world, gpusPerNode, $"spec.stages[{i}].name", problems);
            }

            if (model is not null && TensorParallelSplit.FindProblem(model, p.Tp) is { } problem)
            {
                problems.Add(ValidationProblem.Error($"{path}.tp", problem));
            }

            // virtualStages below 1 is the schema's minimum to report.
            if (p.VirtualStages > 0 && VirtualPipelineSplit.FindProblem(p.Pp, p.VirtualStages, model?.Layers) is { } pipeline)
            {
                problems.Add(ValidationProblem.Error($"{path}.{pipeline.Field}", pipeline.Message));
            }
        }
    }

    /// <summary>Pod names are &lt;job&gt;-&lt;stage&gt;-&lt;nodeRank&gt; and double as host names (DNS labels).</summary>
    private static void CheckPodNames(string? jobName, string stageName, long world, int gpusPerNode, string path, List<ValidationProblem> problems)
    {
        if (string.IsNullOrEmpty(jobName) || string.IsNullOrEmpty(stageName))
        {
            return;
        }

        var nodes = (world + gpusPerNode - 1) / gpusPerNode;
        var longest = $"{jobName}-{stageName}-{nodes - 1}";
        if (longest.Length > MaxPodNameLength)
        {
            problems.Add(ValidationProblem.Error(path, $"expected pod names <job>-<stage>-<nodeRank> of at most {MaxPodNameLength} characters, found {longest.Length} ('{longest}'); shorten the job or stage name"));
        }
    }
}
