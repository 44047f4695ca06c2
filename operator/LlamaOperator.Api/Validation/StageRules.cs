using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>Stage names are unique and each stage type has the fields it needs and no fields of another type.</summary>
internal static class StageRules
{
    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var stages = spec.Stages ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            if (stage is null)
            {
                continue;
            }

            var path = $"spec.stages[{i}]";
            if (!string.IsNullOrEmpty(stage.Name) && !seen.Add(stage.Name))
            {
                problems.Add(ValidationProblem.Error($"{path}.name", $"expected a unique stage name, found '{stage.Name}' again"));
            }

            CheckSequenceFields(stage, path, problems);

            if (stage.Gate is not null && stage.Type != StageType.LongContext)
            {
                problems.Add(ValidationProblem.Error($"{path}.gate", $"expected gate only on a LongContext stage, found it on a {stage.Type} stage"));
            }

            if (stage.Averaging is not null && stage.Type != StageType.Anneal)
            {
                problems.Add(ValidationProblem.Error($"{path}.averaging", $"expected averaging only on an Anneal stage, found it on a {stage.Type} stage"));
            }

            CheckBatchRamp(stage, path, problems);
        }
    }

    private static void CheckSequenceFields(StageSpec stage, string path, List<ValidationProblem> problems)
    {
        if (stage.Type == StageType.LongContext)
        {
            if (stage.SequenceLengths is not { Count: > 0 } lengths)
            {
                problems.Add(ValidationProblem.Error($"{path}.sequenceLengths", "expected a list of increasing context lengths for a LongContext stage, found none"));
                return;
            }

            if (stage.SequenceLength is not null)
            {
                problems.Add(ValidationProblem.Error($"{path}.sequenceLength", "expected no sequenceLength on a LongContext stage (it uses sequenceLengths)"));
            }

            for (var j = 1; j < lengths.Count; j++)
            {
                if (lengths[j] <= lengths[j - 1])
                {
                    problems.Add(ValidationProblem.Error($"{path}.sequenceLengths[{j}]", $"expected strictly increasing lengths: a value above {lengths[j - 1]}, found {lengths[j]}"));
                }
            }
        }
        else
        {
            if (stage.SequenceLength is null)
            {
                problems.Add(ValidationProblem.Error($"{path}.sequenceLength", $"expected a sequence length for a {stage.Type} stage, found none"));
            }

            if (stage.SequenceLengths is not null)
            {
                problems.Add(ValidationProblem.Error($"{path}.sequenceLengths", $"expected sequenceLengths only on a LongContext stage, found it on a {stage.Type} stage"));
            }
        }
    }

    private static void CheckBatchRamp(StageSpec stage, string path, List<ValidationProblem> problems)
    {
        if (stage.BatchRamp is not { Count: > 0 } ramp)
        {
            return;
        }

        if (stage.Type == StageType.LongContext)
        {
            problems.Add(ValidationProblem.Error($"{path}.batchRamp", "expected no batch ramp on a LongContext stage (its lengths are gated steps)"));
        }

        for (var j = 1; j < ramp.Count; j++)
        {
            if (ramp[j] is not null && ramp[j - 1] is not null && ramp[j].AfterTokens <= ramp[j - 1].AfterTokens)
            {
                problems.Add(ValidationProblem.Error($"{path}.batchRamp[{j}].afterTokens", $"expected batch-ramp steps ordered by afterTokens: a value above {ramp[j - 1].AfterTokens}, found {ramp[j].AfterTokens}"));
            }
        }

        for (var j = 0; j < ramp.Count; j++)
        {
            if (ramp[j] is not null && stage.Tokens > 0 && ramp[j].AfterTokens >= stage.Tokens)
            {
                problems.Add(ValidationProblem.Warning($"{path}.batchRamp[{j}].afterTokens", $"the step never applies: afterTokens {ramp[j].AfterTokens} is not below the stage's tokens {stage.Tokens}"));
            }
        }
    }
}
