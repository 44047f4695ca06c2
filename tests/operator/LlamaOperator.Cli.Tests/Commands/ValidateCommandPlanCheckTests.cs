namespace LlamaOperator.Cli.Tests.Commands;

public class ValidateCommandPlanCheckTests
{
    [Fact]
    public void Validate_reports_the_planners_memory_warning_without_failing()
    {
        var path = CliRun.ExampleVariant("llama3-8b.yaml", "microBatchSize: 1", "microBatchSize: 8");
        var run = CliRun.Invoke("validate", path);

        Assert.Equal(0, run.Exit);
        Assert.Matches(@"warning: spec\.stages\[0\]: estimated \d+\.\d GB per GPU at sequence length 8192 exceeds 80 GiB", run.Output);
    }
}
