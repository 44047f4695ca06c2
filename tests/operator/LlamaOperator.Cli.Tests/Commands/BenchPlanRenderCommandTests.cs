namespace LlamaOperator.Cli.Tests.Commands;

public class BenchPlanRenderCommandTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Bench_reports_median_and_p90_for_the_2048_pod_stage()
    {
        var run = CliRun.Invoke("bench", "plan-render", "--iterations", "2");

        Assert.True(run.Exit == 0, run.Error);
        Assert.Contains("2048 pods, 2 runs", run.Output);
        Assert.Matches(@"median\s+\d+\.\d\d ms", run.Output);
        Assert.Matches(@"p90\s+\d+\.\d\d ms", run.Output);
        Assert.Contains("goal < 50 ms median", run.Output);
    }

    [Fact]
    public void Iterations_below_one_are_rejected()
    {
        var run = CliRun.Invoke("bench", "plan-render", "--iterations", "0");
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("--iterations must be at least 1", run.Error);
    }
}
