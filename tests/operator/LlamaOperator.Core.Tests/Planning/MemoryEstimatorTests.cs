using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Tests.Planning;

public class MemoryEstimatorTests
{
    private const double Gb = 1e9;

    [Fact]
    public void Llama3_8b_data_parallel_on_8_gpus_fits_80gb_at_8k_only_with_micro_batch_1()
    {
        var one = Plan(TestJobs.Job("llama3-8b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 8, 8192, 8 * 8192 * 4, microBatchSize: 1)));
        var two = Plan(TestJobs.Job("llama3-8b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 8, 8192, 8 * 8192 * 4, microBatchSize: 2)));

        Assert.True(one.PeakMemory.Fits, $"micro-batch 1: {one.PeakMemory.TotalBytes / Gb:F1} GB");
        Assert.False(two.PeakMemory.Fits, $"micro-batch 2: {two.PeakMemory.TotalBytes / Gb:F1} GB");
        Assert.Contains(two.Warnings, w => w.Contains("exceeds 80 GiB"));
        Assert.Empty(one.Warnings);
    }

    [Fact]
    public void Llama3_8b_keeps_bf16_weights_and_gradients_whole_and_fp32_master_moments_and_gradient_sharded_as_zero2()
    {
        var memory = Plan(TestJobs.Job("llama3-8b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 8, 8192, 8 * 8192))).PeakMemory;
        var parameters = ModelPresets.All["llama3-8b"].ParameterCount;

        Assert.Equal(parameters, memory.ParametersPerGpu);
        Assert.Equal(2 * parameters, memory.WeightsBytes);
        Assert.Equal((2 * parameters) + (4 * parameters / 8), memory.GradientsBytes);
        Assert.Equal(12 * parameters / 8, memory.OptimizerBytes);
    }

    [Fact]
    public void Llama3_405b_table4_layouts_fit_80gb()
    {
        var pretrain = TestJobs.Plan(TestJobs.Llama405BPretrain());
        var longContext = TestJobs.Plan(TestJobs.Llama405BLongContext());

        Assert.True(pretrain.PeakMemory.Fits, $"8K: {pretrain.PeakMemory.TotalBytes / Gb:F1} GB");
        Assert.True(longContext.PeakMemory.Fits, $"128K: {longContext.PeakMemory.TotalBytes / Gb:F1} GB");
        // TP8 x PP16 leaves ~3.2B parameters (6.4 GB of bf16 weights) per GPU.
        Assert.InRange(pretrain.PeakMemory.WeightsBytes / Gb, 6.0, 6.8);
    }

    [Fact]
    public void Llama3_405b_without_pipeline_parallelism_does_not_fit()
    {
        var plan = Plan(TestJobs.Job("llama3-405b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 8, 1, 1, 1024, 8192, 16 * TestJobs.M)));
        Assert.False(plan.PeakMemory.Fits);
    }

    [Fact]
    public void Context_parallelism_cuts_activations_of_long_sequences()
    {
        var cp1 = Plan(TestJobs.Job("llama3-8b", 8, TestJobs.Stage("lc", StageType.LongContext, 8, 1, 1, 2, 65_536, 2 * 65_536)));
        var cp8 = Plan(TestJobs.Job("llama3-8b", 8, TestJobs.Stage("lc", StageType.LongContext, 8, 8, 1, 2, 65_536, 2 * 65_536)));

        Assert.True(cp8.PeakMemory.ActivationsBytes * 4 < cp1.PeakMemory.ActivationsBytes);
        Assert.Equal(cp1.PeakMemory.WeightsBytes, cp8.PeakMemory.WeightsBytes);
    }

    [Fact]
    public void The_first_pipeline_stage_holds_the_most_micro_batches_in_flight()
    {
        var plan = Plan(TestJobs.Job("llama3-70b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 8, 1, 4, 2, 8192, 2 * 8 * 8192)));
        Assert.Equal(0, plan.PeakMemory.PipelineStage);
    }

    [Fact]
    public void Fewer_micro_batches_than_pipeline_stages_is_a_warning()
    {
        var plan = Plan(TestJobs.Job("llama3-70b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 8, 1, 4, 2, 8192, 2 * 2 * 8192)));
        Assert.Contains(plan.Warnings, w => w.Contains("only 2 micro-batches per step for pp=4"));
    }

    [Fact]
    public void Activation_checkpointing_keeps_each_layers_input_and_one_layers_activations()
    {
        // 8B, 8K, micro-batch 1, DP only: A = 2 * 8192 * (6 * 4096 + 2 * 14336 + 2 * 1024) bytes, the input 2 * 8192 * 4096.
        LlamaTrainingJob Job(ActivationCheckpointing mode)
        {
            var stage = TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 8, 8192, 8 * 8192 * 4, microBatchSize: 1);
            stage.ActivationCheckpointing = mode;
            return TestJobs.Job("llama3-8b", 8, stage);
        }
        var model = ModelPresets.All["llama3-8b"];
        var none = Plan(Job(ActivationCheckpointing.None)).PeakMemory;
        var full = Plan(Job(ActivationCheckpointing.Full)).PeakMemory;
        long layer = 2L * 8192 * ((6 * model.Dim) + (2 * model.FfnDim) + (2 * model.KvHeads * model.HeadDim));
        long input = 2L * 8192 * model.Dim;
        long logits = 4L * 8192 * model.VocabSize;

        Assert.Equal((model.Layers * layer) + logits, none.ActivationsBytes);
        Assert.Equal((model.Layers * input) + layer + logits, full.ActivationsBytes);
        Assert.Equal(none.WeightsBytes + none.GradientsBytes + none.OptimizerBytes, full.WeightsBytes + full.GradientsBytes + full.OptimizerBytes);
    }

    private static StagePlan Plan(LlamaTrainingJob job) => TestJobs.Plan(job);
}
