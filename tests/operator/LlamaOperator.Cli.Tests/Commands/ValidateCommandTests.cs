using System.CommandLine;
using LlamaOperator.TestSupport;

namespace LlamaOperator.Cli.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private const string Manifest = SampleManifests.Minimal;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llamaop-validate-");

    public void Dispose() => _dir.Delete(recursive: true);

    private (int Exit, string Output) Validate(string text)
    {
        var file = Path.Combine(_dir.FullName, "job.yaml");
        File.WriteAllText(file, text);
        var output = new StringWriter();
        var exit = Program.BuildRoot().Parse(["validate", file]).Invoke(new InvocationConfiguration { Output = output });
        return (exit, output.ToString());
    }

    [Fact]
    public void Valid_manifest_exits_zero()
    {
        var (exit, output) = Validate(Manifest);
        Assert.Equal(0, exit);
        Assert.Contains("valid (0 warning(s))", output);
    }

    [Fact]
    public void Every_error_is_printed_with_its_line_and_the_exit_code_is_one()
    {
        var text = Manifest
            .Replace("weight: 1", "weight: 0.5", StringComparison.Ordinal)
            .Replace("parallelism: {tp: 2}", "parallelism: {tp: 8}", StringComparison.Ordinal);

        var (exit, output) = Validate(text);

        Assert.Equal(1, exit);
        Assert.Contains("job.yaml:7: error: spec.data.sources: expected weights summing to 1", output);
        Assert.Contains("job.yaml:16: error: spec.stages[0].parallelism.tp: expected at most gpusPerNode (2)", output);
        Assert.Contains("job.yaml:16: error: spec.stages[0].parallelism.tp: expected a divisor of the model's attention heads (4)", output);
        Assert.Contains("3 error(s), 0 warning(s)", output);
    }

    [Fact]
    public void Warnings_are_printed_but_do_not_fail()
    {
        var text = Manifest.Replace("parallelism: {tp: 2}", "parallelism: {tp: 2}\n      batchRamp: [{afterTokens: 100000, batchTokens: 8192}]", StringComparison.Ordinal);

        var (exit, output) = Validate(text);

        Assert.Equal(0, exit);
        Assert.Contains("job.yaml:17: warning: spec.stages[0].batchRamp[0].afterTokens: the step never applies", output);
    }

    [Fact]
    public void Read_errors_are_printed_with_their_line()
    {
        var (exit, output) = Validate(Manifest.Replace("tokens: 65536", "tokenz: 65536", StringComparison.Ordinal));
        Assert.Equal(1, exit);
        Assert.Contains("job.yaml:13: error: spec.stages[0].tokenz: unknown field", output);
    }
}
