using System.Text.Json;

namespace LlamaOperator.Cli.Tests.Commands;

public class PlanCommandTests
{
    [Theory]
    [InlineData("tiny-local.yaml", 3)]
    [InlineData("llama3-8b.yaml", 3)]
    [InlineData("llama3-405b.yaml", 3)]
    public void Every_example_plans_every_stage_and_fits(string example, int stages)
    {
        var run = CliRun.Invoke("plan", CliRun.Example(example));

        Assert.True(run.Exit == 0, run.Error);
        Assert.Equal(stages, run.Output.Split('\n').Count(l => l.StartsWith("stage ", StringComparison.Ordinal)));
        Assert.DoesNotContain("warning:", run.Output);
        Assert.DoesNotContain("DOES NOT FIT", run.Output);
    }

    [Fact]
    public void Table_shows_the_405b_pretrain_layout_at_a_glance()
    {
        var run = CliRun.Invoke("plan", CliRun.Example("llama3-405b.yaml"), "--stage", "pretrain");

        Assert.Equal(0, run.Exit);
        Assert.Contains("8,192 GPUs = tp 8 x cp 1 x pp 16 x dp 64, on 1,024 pods x 8 GPUs", run.Output);
        Assert.Contains("[0 1 2 3 4 5 6 7]  [8 9 10 11 12 13 14 15]", run.Output);
        Assert.Contains("layers per stage: 7 8x14 7", run.Output);
        Assert.Contains("fits", run.Output);
    }

    [Fact]
    public void Table_shows_the_virtual_stages_and_each_ranks_layers()
    {
        var run = CliRun.Invoke("plan", Interleaved405B(), "--stage", "pretrain");

        Assert.True(run.Exit == 0, run.Error);
        Assert.Contains("8,192 GPUs = tp 8 x cp 1 x pp 16 x dp 64, on 1,024 pods x 8 GPUs", run.Output);
        Assert.Contains("pipeline    pp 16 x 2 virtual stages (interleaved 1F1B): rank r holds virtual stages r, r+16", run.Output);
        Assert.Contains("layers per virtual stage: 3 4x30 3", run.Output);
        Assert.Contains("layers per rank:          7 8x14 7", run.Output);
        // 8 layers on ranks 1 to 14: rank 1 keeps the most chunks of them in flight.
        Assert.Contains("busiest GPU: pipeline rank 1,", run.Output);
    }

    [Fact]
    public void Json_output_carries_the_virtual_stages()
    {
        var run = CliRun.Invoke("plan", Interleaved405B(), "--stage", "pretrain", "--output", "json");

        Assert.True(run.Exit == 0, run.Error);
        var plan = JsonDocument.Parse(run.Output).RootElement[0];
        Assert.Equal(2, plan.GetProperty("virtualStages").GetInt32());
        Assert.Equal([3, .. Enumerable.Repeat(4, 30), 3], plan.GetProperty("layersPerVirtualStage").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([7, .. Enumerable.Repeat(8, 14), 7], plan.GetProperty("layersPerPipelineStage").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Table_says_which_stages_recompute_their_layers_in_backward()
    {
        var longContext = CliRun.Invoke("plan", CliRun.Example("tiny-local.yaml"), "--stage", "long-context");
        var anneal = CliRun.Invoke("plan", CliRun.Example("tiny-local.yaml"), "--stage", "anneal");

        Assert.Contains("each layer's input; one layer recomputed at a time", longContext.Output);
        Assert.Contains("every layer's, kept for backward", anneal.Output);
    }

    [Fact]
    public void Json_output_carries_sizes_sample_groups_and_phases()
    {
        var run = CliRun.Invoke("plan", CliRun.Example("llama3-405b.yaml"), "--stage", "long-context", "--output", "json");

        Assert.Equal(0, run.Exit);
        var plan = JsonDocument.Parse(run.Output).RootElement[0];
        Assert.Equal(16_384, plan.GetProperty("worldSize").GetInt64());
        Assert.Equal(2048, plan.GetProperty("nodes").GetInt64());
        var cp = plan.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("dimension").GetString() == "CP");
        Assert.Equal(16, cp.GetProperty("size").GetInt32());
        Assert.Equal([0L, 8L, 16L], cp.GetProperty("samples")[0].EnumerateArray().Take(3).Select(e => e.GetInt64()));
        Assert.Equal([16_384, 32_768, 65_536, 131_072], plan.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("sequenceLength").GetInt32()));
        Assert.True(plan.GetProperty("phases")[3].GetProperty("memory").GetProperty("fits").GetBoolean());
    }

    [Fact]
    public void A_layout_that_does_not_fit_is_a_warning_not_an_error()
    {
        // 8B pretraining at 8K with 8 sequences per micro-batch: far beyond 80 GiB.
        var path = CliRun.ExampleVariant("llama3-8b.yaml", "microBatchSize: 1", "microBatchSize: 8");
        var run = CliRun.Invoke("plan", path, "--stage", "pretrain");

        Assert.Equal(0, run.Exit);
        Assert.Contains("DOES NOT FIT", run.Output);
        Assert.Contains("warning: estimated", run.Output);
    }

    [Fact]
    public void An_impossible_layout_names_the_field_and_exits_1()
    {
        var path = CliRun.ExampleVariant("llama3-405b.yaml", "{ tp: 8, cp: 1, pp: 16, dp: 64, gpus: 8192 }", "{ tp: 3, cp: 1, pp: 16, dp: 64 }");
        var run = CliRun.Invoke("plan", path);

        Assert.Equal(1, run.Exit);
        Assert.Matches(@"llama3-405b\.yaml:\d+: error: spec\.stages\[0\]\.parallelism\.tp: expected a divisor of gpusPerNode \(8\)", run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void A_malformed_manifest_prints_its_problems_and_exits_1()
    {
        var path = CliRun.ExampleVariant("tiny-local.yaml", "gpusPerNode: 2", "gpusPerNodes: 2");
        var run = CliRun.Invoke("plan", path);

        Assert.Equal(1, run.Exit);
        Assert.Contains(": error: spec.cluster.gpusPerNodes: unknown field", run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void Virtual_stages_without_a_pipeline_name_the_field_and_exit_1()
    {
        var path = CliRun.ExampleVariant("llama3-405b.yaml", "{ tp: 8, cp: 1, pp: 16, dp: 64, gpus: 8192 }", "{ tp: 8, cp: 1, pp: 1, virtualStages: 2, dp: 1024, gpus: 8192 }");
        var run = CliRun.Invoke("plan", path);

        Assert.Equal(1, run.Exit);
        Assert.Matches(@"llama3-405b\.yaml:\d+: error: spec\.stages\[0\]\.parallelism\.virtualStages: expected 1 when pp is 1", run.Error);
    }

    [Fact]
    public void A_missing_file_exits_1()
    {
        var run = CliRun.Invoke("plan", "/nonexistent/job.yaml");
        Assert.Equal(1, run.Exit);
        Assert.Contains("file not found", run.Error);
    }

    /// <summary>The 405B example with its pretraining pipeline interleaved in 2 virtual stages.</summary>
    private static string Interleaved405B() =>
        CliRun.ExampleVariant("llama3-405b.yaml", "{ tp: 8, cp: 1, pp: 16, dp: 64, gpus: 8192 }", "{ tp: 8, cp: 1, pp: 16, virtualStages: 2, dp: 64, gpus: 8192 }");
}
