using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>
/// Data mixes (the job default and each stage's override): positive weights summing to 1, known unique names.
/// Sources the trainer prepares: a usable prepareFrom location, and held-out documents when a LongContext gate evaluates them.
/// </summary>
internal static class DataRules
{
    private const double SumTolerance = 1e-6;

    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var sources = spec.Data?.Sources?.Where(s => s is not null).ToList() ?? [];
        CheckMix(sources.Select(s => (s.Name, s.Weight)).ToList(), "spec.data.sources", problems);

        CheckPrepareFrom(spec, problems);
        var known = sources.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var stages = spec.Stages ?? [];
        for (var i = 0; i < stages.Count; i++)
        {
            var mix = stages[i]?.DataMix?.Where(m => m is not null).ToList();
            if (mix is null)
            {
                continue;
            }

            var path = $"spec.stages[{i}].dataMix";
            CheckMix(mix.Select(m => (m.Name, m.Weight)).ToList(), path, problems);
            for (var j = 0; j < mix.Count; j++)
            {
                if (!string.IsNullOrEmpty(mix[j].Name) && !known.Contains(mix[j].Name))
                {
                    problems.Add(ValidationProblem.Error($"{path}[{j}].name", $"expected the name of a source in spec.data.sources ({string.Join(", ", known)}), found '{mix[j].Name}'"));
                }
            }
        }
    }

    private static void CheckPrepareFrom(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var sources = spec.Data?.Sources ?? [];
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i]?.PrepareFrom is not { } from)
            {
                continue;
            }

            var path = $"spec.data.sources[{i}].prepareFrom";
            if (string.IsNullOrWhiteSpace(from))
            {
                problems.Add(ValidationProblem.Error(path, "expected the location of a JSON Lines file of raw documents, found an empty string"));
            }
            else if (from.Contains("://", StringComparison.Ordinal) && !(from.StartsWith("file://", StringComparison.Ordinal) || from.StartsWith("https://", StringComparison.Ordinal) || from.StartsWith("http://", StringComparison.Ordinal)))
            {
                problems.Add(ValidationProblem.Error(path, $"expected a local path, file:// URI or http(s):// blob URL, found '{from}'"));
            }
            else if (from.Contains("sig=", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(ValidationProblem.Error(path, "expected a location without a SAS token (locations are logged); give blob credentials through the environment"));
            }
        }

        // The gate's short-context loss reads the held-out split of spec.data.evalUri, by default the first source.
        var gated = (spec.Stages ?? []).Any(s => s?.Type == StageType.LongContext);
        if (gated && spec.Data is { EvalUri: null, HeldOutDocuments: null or 0 } && sources.FirstOrDefault() is { PrepareFrom: not null } first)
        {
            problems.Add(ValidationProblem.Error(
                "spec.data.heldOutDocuments",
                $"expected at least 1: the LongContext gate evaluates the held-out split of source '{first.Name}' (spec.data.sources[0]), which the trainer prepares from prepareFrom, found {spec.Data.HeldOutDocuments ?? 0}"));
        }
    }

    private static void CheckMix(List<(string Name, double Weight)> mix, string path, List<ValidationProblem> problems)
    {
        if (mix.Count == 0)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < mix.Count; i++)
        {
            if (mix[i].Weight <= 0)
            {
                problems.Add(ValidationProblem.Error($"{path}[{i}].weight", $"expected a positive weight, found {mix[i].Weight}"));
            }

            if (!string.IsNullOrEmpty(mix[i].Name) && !seen.Add(mix[i].Name))
            {
                problems.Add(ValidationProblem.Error($"{path}[{i}].name", $"expected a unique name, found '{mix[i].Name}' twice"));
            }
        }

        var sum = mix.Sum(m => m.Weight);
        if (Math.Abs(sum - 1) > SumTolerance)
        {
            problems.Add(ValidationProblem.Error(path, $"expected weights summing to 1, found a sum of {sum:G6}"));
        }
    }
}
