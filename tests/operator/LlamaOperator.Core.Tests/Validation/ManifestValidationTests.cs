using LlamaOperator.Api.Validation;
using LlamaOperator.Core.Validation;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Core.Tests.Validation;

public class ManifestValidationTests
{
    private const string Manifest = SampleManifests.Minimal;

    [Fact]
    public void Valid_manifest_has_no_findings()
    {
        Assert.Empty(ManifestValidation.Check(Manifest, "demo.yaml"));
    }

    [Fact]
    public void Validation_problems_point_at_their_lines()
    {
        var text = Manifest.Replace("parallelism: {tp: 2}", "parallelism: {tp: 2, cp: 3}", StringComparison.Ordinal);

        var finding = Assert.Single(ManifestValidation.Check(text, "demo.yaml"));

        Assert.Equal(new ManifestFinding(Severity.Error, "spec.stages[0].sequenceLength", "expected a multiple of 2*cp = 6 (context parallelism cuts a sequence into 2*cp chunks), found 256", 14), finding);
        Assert.Equal("demo.yaml:14: error: spec.stages[0].sequenceLength: expected a multiple of 2*cp = 6 (context parallelism cuts a sequence into 2*cp chunks), found 256", finding.Format("demo.yaml"));
    }

    [Fact]
    public void Read_errors_become_findings_with_lines()
    {
        var text = Manifest.Replace("tokens: 65536", "tokens: lots", StringComparison.Ordinal);

        var finding = Assert.Single(ManifestValidation.Check(text, "demo.yaml"));

        Assert.Equal((Severity.Error, "spec.stages[0].tokens", 13), (finding.Severity, finding.Path, finding.Line));
    }

    [Fact]
    public void Missing_file_is_a_finding()
    {
        var finding = Assert.Single(ManifestValidation.CheckFile("/no/such/job.yaml"));
        Assert.Equal("file not found", finding.Message);
    }

    [Fact]
    public void Shipped_examples_are_valid()
    {
        var examples = Directory.GetFiles(Path.Combine(RepoRoot.Find(), "examples"), "*.yaml");
        Assert.NotEmpty(examples);
        Assert.All(examples, file => Assert.DoesNotContain(ManifestValidation.CheckFile(file), f => f.Severity == Severity.Error));
    }
}
