using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>
/// Every (batch, sequence length) a stage trains with must split evenly: sequences into 2*cp chunks,
/// the batch into whole sequences per DP rank, and those into whole micro-batches; under the interleaved pipeline
/// schedule (virtualStages above 1) into groups of pp micro-batches, as Megatron-LM requires.
/// </summary>
internal static class BatchRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var stages = spec.Stages ?? [];
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            if (stage?.Parallelism is not { Cp: > 0, Dp: > 0 } p)
            {
                continue;
            }

            var path = $"spec.stages[{i}]";
            var micro = stage.MicroBatchSize ?? JobDefaults.MicroBatchSize;
            var stageLengths = stage.Type == StageType.LongContext
                ? (stage.SequenceLengths ?? []).Select((l, j) => (Length: l, Path: $"{path}.sequenceLengths[{j}]")).ToList()
                : stage.SequenceLength is { } single ? [(single, $"{path}.sequenceLength")] : [];

            foreach (var (length, lengthPath) in stageLengths)
            {
                CheckLength(length, p.Cp, lengthPath, problems);
                CheckBatch(stage.BatchTokens, $"{path}.batchTokens", length, p, micro, problems);
            }

            var ramp = stage.BatchRamp ?? [];
            for (var j = 0; j < ramp.Count; j++)
            {
                if (ramp[j] is not { } step || stageLengths.Count == 0)
                {
                    continue;
                }

                var length = step.SequenceLength ?? stageLengths[0].Length;
                if (step.SequenceLength is not null)
                {
                    CheckLength(length, p.Cp, $"{path}.batchRamp[{j}].sequenceLength", problems);
                }

                CheckBatch(step.BatchTokens, $"{path}.batchRamp[{j}].batchTokens", length, p, micro, problems);
            }
        }
    }

    private static void CheckLength(int length, int cp, string path, List<ValidationProblem> problems)
    {
        if (length <= 0)
        {
            problems.Add(ValidationProblem.Error(path, $"expected a positive sequence length, found {length}"));
        }
        else if (length % (2 * cp) != 0)
        {
            problems.Add(ValidationProblem.Error(path, $"expected a multiple of 2*cp = {2 * cp} (context parallelism cuts a sequence into 2*cp chunks), found {length}"));
        }
    }

    private static void CheckBatch(long batchTokens, string path, int length, ParallelismSpec parallelism, int micro, List<ValidationProblem> problems)
    {
        var dp = parallelism.Dp;
        if (batchTokens <= 0 || length <= 0 || micro <= 0)
        {
            return;
        }

        var perStep = (long)dp * length;
        if (batchTokens % perStep != 0)
        {
            problems.Add(ValidationProblem.Error(path, $"expected a multiple of dp * sequence length = {dp} * {length} = {perStep}, found {batchTokens}"));
            return;
        }

        var perRank = batchTokens / perStep;
        if (perRank % micro != 0)
        {
            problems.Add(ValidationProblem.Error(path, $"expected {perRank} sequences per DP rank (batchTokens / (dp * {length})) to be a multiple of microBatchSize {micro}"));
        }
        else if (parallelism is { VirtualStages: > 1, Pp: > 1 } && perRank / micro % parallelism.Pp != 0)
        {
            problems.Add(ValidationProblem.Error(path,
                $"expected the {perRank / micro} micro-batches per DP rank to be a multiple of pp = {parallelism.Pp}: the interleaved schedule (virtualStages {parallelism.VirtualStages}) runs them in groups of pp"));
        }
    }
}
