using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Validation;

/// <summary>Data mixes (the job default and each stage's override): positive weights summing to 1, known unique names.</summary>
internal static class DataRules
{
    private const double SumTolerance = 1e-6;

    public static void Check(LlamaTrainingJobSpec spec, List<ValidationProblem> problems)
    {
        var sources = spec.Data?.Sources?.Where(s => s is not null).ToList() ?? [];
        CheckMix(sources.Select(s => (s.Name, s.Weight)).ToList(), "spec.data.sources", problems);

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
