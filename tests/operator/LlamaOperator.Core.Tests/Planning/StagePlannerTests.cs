using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Tests.Planning;

public class StagePlannerTests
{
    [Fact]
    public void Table4_pretrain_layout_has_the_paper_sizes()
    {
        var plan = StagePlanner.Plan(JobResolver.Resolve(TestJobs.Llama405BPretrain()), "pretrain");
        var layout = plan.Layout;

        Assert.Equal(8192, layout.WorldSize);
        Assert.Equal(1024, layout.Nodes);
        Assert.Equal(8, layout.GroupOf(ParallelDimension.Tp, 0).Size);
        Assert.Equal(16, layout.GroupOf(ParallelDimension.Pp, 0).Size);
        Assert.Equal(64, layout.GroupOf(ParallelDimension.Dp, 0).Size);
        Assert.Equal(1024, layout.GroupCount(ParallelDimension.Tp));
        // 16M tokens / 64 replicas / 8,192 tokens = 32 sequences per replica, as in Table 4.
        Assert.Equal(32, Assert.Single(plan.Phases).SequencesPerReplica);
    }

    [Theory]
    [InlineData(8, 1, 16, 64, 8192)]
    [InlineData(8, 1, 16, 128, 16_384)]
    [InlineData(8, 16, 16, 8, 16_384)]
    public void Every_tp_group_of_a_table4_layout_sits_on_one_node(int tp, int cp, int pp, int dp, long gpus)
    {
        var layout = ParallelLayout.Create(new ResolvedParallelism(tp, cp, pp, dp), 8, "p");
        Assert.Equal(gpus, layout.WorldSize);
        for (long g = 0; g < layout.GroupCount(ParallelDimension.Tp); g++)
        {
            var group = layout.Group(ParallelDimension.Tp, g);
            Assert.Equal(layout.NodeOf(group[0]), layout.NodeOf(group[group.Size - 1]));
        }
    }

    [Fact]
    public void Table4_long_context_layout_has_2048_nodes_and_16_sequences_per_replica()
    {
        var plan = TestJobs.Plan(TestJobs.Llama405BLongContext());
        Assert.Equal(16_384, plan.Layout.WorldSize);
        Assert.Equal(2048, plan.Layout.Nodes);
        Assert.Equal(16, plan.Layout.GroupOf(ParallelDimension.Cp, 0).Size);
        Assert.Equal(16, Assert.Single(plan.Phases).SequencesPerReplica);
    }

    [Fact]
    public void Batch_ramp_and_long_context_lengths_become_phases()
    {
        var job = TestJobs.Llama405BPretrain();
        var stage = job.Spec.Stages[0];
        stage.SequenceLength = 4096;
        stage.BatchTokens = 4 * TestJobs.M;
        stage.BatchRamp = [new() { AfterTokens = 252_000_000, BatchTokens = 8 * TestJobs.M, SequenceLength = 8192 }, new() { AfterTokens = 2_870_000_000_000, BatchTokens = 16 * TestJobs.M, SequenceLength = 8192 }];

        var phases = TestJobs.Plan(job).Phases;

        Assert.Equal([4096, 8192, 8192], phases.Select(p => p.SequenceLength));
        Assert.Equal([16L, 16L, 32L], phases.Select(p => p.SequencesPerReplica));
    }

    [Fact]
    public void Long_context_plans_every_length()
    {
        var job = TestJobs.Llama405BLongContext();
        job.Spec.Stages[0].SequenceLengths = [16_384, 131_072];
        var plan = TestJobs.Plan(job);
        Assert.Equal([16_384, 131_072], plan.Phases.Select(p => p.SequenceLength));
        Assert.Equal(131_072, plan.Phases.MaxBy(p => p.Memory.ActivationsBytes)!.SequenceLength);
    }

    [Fact]
    public void The_papers_dp4_misprint_shows_as_half_the_gpus_and_twice_the_sequences_per_replica()
    {
        // Table 4 prints DP=4 for the 16,384-GPU 128K row with 16 sequences per replica; the plan exposes both mismatches.
        var plan = TestJobs.Plan(Table4WithDp(dp: 4));
        Assert.Equal(8192, plan.Layout.WorldSize);
        Assert.Equal(32, Assert.Single(plan.Phases).SequencesPerReplica);
    }

    [Fact]
    public void Virtual_stages_split_the_layers_finer_and_leave_the_rank_layout_as_it_is()
    {
        // 126 layers in 16 * 2 virtual stages: 3 4x30 3; rank r holds stages r and r + 16, so the ranks hold 7 8x14 7 as with pp 16 alone.
        var plain = TestJobs.Plan(TestJobs.Llama405BPretrain());
        var job = TestJobs.Llama405BPretrain();
        job.Spec.Stages[0].Parallelism.VirtualStages = 2;

        var interleaved = TestJobs.Plan(job);

        Assert.Equal(2, interleaved.Pipeline.VirtualStages);
        Assert.Equal([3, .. Enumerable.Repeat(4, 30), 3], interleaved.Pipeline.LayersPerVirtualStage);
        Assert.Equal([7, .. Enumerable.Repeat(8, 14), 7], interleaved.LayersPerPipelineStage);
        Assert.Equal(plain.LayersPerPipelineStage, interleaved.LayersPerPipelineStage);
        Assert.Equal(plain.Layout, interleaved.Layout);
    }

    [Fact]
    public void Unknown_stage_lists_the_stages()
    {
        var ex = Assert.Throws<PlanException>(() => StagePlanner.Plan(JobResolver.Resolve(TestJobs.Llama405BPretrain()), "anneal"));
        Assert.Contains("no stage named 'anneal'; the job has: pretrain", ex.Message);
    }

    private static LlamaTrainingJob Table4WithDp(int dp) =>
        TestJobs.Job("llama3-405b", 8, TestJobs.Stage("long-context", StageType.LongContext, 8, 16, 16, dp, 131_072, 16 * TestJobs.M));
}
