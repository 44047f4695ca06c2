using System.Text.Json.Nodes;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Cli.Local;

namespace LlamaOperator.Cli.Tests.Local;

public class LocalPathsAdmissionTests
{
    [Fact]
    public void An_applied_jobs_relative_paths_become_absolute_against_the_manifest_folder()
    {
        var job = (JsonObject)JsonNode.Parse(ApiJson.Serialize(ManifestReader.ReadFile(CliRun.Example("tiny-local.yaml"))))!;

        LocalPathsAdmission.MakeAbsolute(job, "/repo/examples");

        Assert.Equal("/repo/.work/tiny-local/checkpoints", (string?)job["spec"]!["checkpoint"]!["storage"]!["local"]!["path"]);
        Assert.Equal(("/repo/.work/tiny-local/data/general", "/repo/examples/corpus/general.jsonl"), ((string?)job["spec"]!["data"]!["sources"]![0]!["uri"], (string?)job["spec"]!["data"]!["sources"]![0]!["prepareFrom"]));
    }

    [Fact]
    public void A_job_with_absolute_paths_is_left_as_it_came()
    {
        var text = """{"apiVersion":"llamaoperator.dev/v1alpha1","kind":"LlamaTrainingJob","metadata":{"name":"j"},"spec":{"data":{"sources":[{"name":"a","uri":"/data/a","weight":1.0}]},"checkpoint":{"storage":{"local":{"path":"/ckpt"}}},"unknownField":1}}""";
        var job = (JsonObject)JsonNode.Parse(text)!;

        LocalPathsAdmission.MakeAbsolute(job, "/repo/examples");

        Assert.Equal(text, job.ToJsonString());
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"j"}}""")]
    [InlineData("""{"metadata":{"name":"j"},"spec":{"data":{"sources":"not a list"}}}""")]
    [InlineData("""{"metadata":{"name":"j"},"spec":{"data":{"sources":[{"uri":"a"}]},"checkpoint":null}}""")]
    public void A_job_too_incomplete_to_read_is_left_to_the_validation(string text)
    {
        var job = (JsonObject)JsonNode.Parse(text)!;

        LocalPathsAdmission.MakeAbsolute(job, "/repo/examples");

        Assert.Equal(JsonNode.Parse(text)!.ToJsonString(), job.ToJsonString());
    }
}
