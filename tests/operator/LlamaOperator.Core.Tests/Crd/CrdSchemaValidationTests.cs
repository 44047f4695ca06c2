using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using k8s;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Core.Crd;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Core.Tests.Crd;

/// <summary>The CRD schema, evaluated as JSON Schema, accepts what the API writes and rejects what the markers forbid.</summary>
public class CrdSchemaValidationTests
{
    // OpenAPI v3 schemas are close to JSON Schema draft 7; the x-kubernetes-* extensions are left to the API server.
    private static readonly JsonSchema Schema = JsonSchema.FromText(
        KubernetesJson.Serialize(CrdGenerator.Generate().Spec.Versions[0].Schema.OpenAPIV3Schema),
        new BuildOptions { Dialect = Dialect.Draft07.With([], allowUnknownKeywords: true) });

    private static JsonNode Example() =>
        JsonNode.Parse(ApiJson.Serialize(ManifestReader.ReadFile(Path.Combine(RepoRoot.Find(), "examples", "llama3-405b.yaml"))))!;

    private static bool IsValid(JsonNode manifest) => Schema.Evaluate(JsonSerializer.SerializeToElement(manifest)).IsValid;

    [Fact]
    public void The_example_manifest_is_accepted()
    {
        Assert.True(IsValid(Example()));
    }

    [Fact]
    public void Resource_quantities_are_accepted_as_strings_and_integers()
    {
        var job = Example();
        job["spec"]!["cluster"]!["resources"] = JsonNode.Parse("""{"requests": {"cpu": 32, "memory": "512Gi"}}""");
        Assert.True(IsValid(job));
    }

    [Theory]
    [InlineData("tp below its minimum", "spec.stages.0.parallelism.tp", "0")]
    [InlineData("unknown enum value", "spec.stages.0.type", "\"Finetune\"")]
    [InlineData("name against the pattern", "spec.stages.0.name", "\"Pre_Train\"")]
    [InlineData("weight above its maximum", "spec.data.sources.0.weight", "1.5")]
    [InlineData("string where an integer belongs", "spec.stages.0.tokens", "\"many\"")]
    [InlineData("empty stage list", "spec.stages", "[]")]
    public void Bad_values_are_rejected(string what, string path, string json)
    {
        var job = Example();
        Set(job, path, JsonNode.Parse(json));
        Assert.False(IsValid(job), what);
    }

    [Fact]
    public void Missing_required_field_is_rejected()
    {
        var job = Example();
        ((JsonObject)job["spec"]!["stages"]![0]!).Remove("tokens");
        Assert.False(IsValid(job));
    }

    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = int.TryParse(part, out var i) ? node[i]! : node[part]!;
        }

        node[parts[^1]] = value;
    }
}
