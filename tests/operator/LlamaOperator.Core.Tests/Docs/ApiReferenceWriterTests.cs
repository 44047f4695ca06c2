using LlamaOperator.Api.Schema;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Docs;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Core.Tests.Docs;

public class ApiReferenceWriterTests
{
    private static readonly string Reference = ApiReferenceWriter.Write();

    [Fact]
    public void Checked_in_reference_matches_the_api_types()
    {
        var path = Path.Combine(RepoRoot.Find(), ApiReferenceWriter.RelativePath);
        var checkedIn = File.Exists(path) ? File.ReadAllText(path) : "(missing)";
        Assert.True(
            checkedIn == Reference,
            $"{path} is out of date with the API types: run `llamaop docs` (dotnet run --project operator/LlamaOperator.Cli -- docs) and commit the result.");
    }

    [Fact]
    public void Every_field_of_spec_and_status_has_a_row()
    {
        var paths = FieldPaths(typeof(LlamaTrainingJobSpec), "spec").Concat(FieldPaths(typeof(LlamaTrainingJobStatus), "status")).ToList();
        Assert.True(paths.Count > 100, $"only {paths.Count} fields found");
        Assert.All(paths, p => Assert.Contains($"| `{p}` |", Reference));
    }

    private static IEnumerable<string> FieldPaths(Type type, string path)
    {
        foreach (var property in ApiProperty.Of(type))
        {
            var fieldPath = $"{path}.{property.JsonName}";
            yield return fieldPath;
            var child = property.ItemType ?? property.ValueType;
            if (ApiProperty.IsApiObject(child))
            {
                foreach (var inner in FieldPaths(child, property.ItemType is null ? fieldPath : fieldPath + "[]"))
                {
                    yield return inner;
                }
            }
        }
    }

    [Fact]
    public void Rows_carry_type_default_constraints_and_description()
    {
        var line = Reference.Split('\n').Single(l => l.StartsWith("| `spec.stages[].parallelism.tp` |", StringComparison.Ordinal));
        Assert.Equal("| `spec.stages[].parallelism.tp` | integer (int32) | `1` | ≥ 1 | Tensor-parallel degree (inside a node). |", line);

        Assert.Contains("| `spec.stages[].type` | enum: `Pretrain`, `LongContext`, `Anneal` |  | required |", Reference);
        Assert.Contains("| `spec.cluster.scheduling.nodeSelector` | map[string]string |", Reference);
        Assert.Contains("matches `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`", Reference);
    }
}
