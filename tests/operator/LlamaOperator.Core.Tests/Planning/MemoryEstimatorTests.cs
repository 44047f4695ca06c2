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

    [Theory]
    [InlineData(1, 76)] // 1F1B: 4 micro-batches of its 19 layers.
    [InlineData(2, 103)] // Interleaved: 10 warm-up forwards and one more, of chunks of 9 and 10 layers.
    public void The_first_pipeline_rank_holds_the_most_with_virtual_stages_too(int virtualStages, int layersInFlight)
    {
        // 70B (80 layers) on tp 8 x pp 4 x dp 2, 8 micro-batches a step; with 2 virtual stages rank 0 holds stages 0 and 4 (9 + 10 layers).
        var stage = TestJobs.Stage("pretrain", StageType.Pretrain, 8, 1, 4, 2, 8192, 2 * 8 * 8192);
        stage.Parallelism.VirtualStages = virtualStages;
        var model = ModelPresets.All["llama3-70b"];

        var memory = Plan(TestJobs.Job("llama3-70b", 8, stage)).PeakMemory;

        Assert.Equal(0, memory.PipelineStage);
        Assert.Equal(layersInFlight * LayerActivations(model, 8192, tp: 8), memory.ActivationsBytes);
    }

    [Fact]
    public void Interleaving_8_layers_over_pp2_in_4_virtual_stages_keeps_9_layers_activations_on_a_rank()
    {
        // 8 layers in virtual stages of 1 3 3 1: rank 0 holds stages 0 and 2, rank 1 (the busiest: the output head and
        // its logits) stages 1 and 3, 4 layers each as without interleaving. 4 micro-batches a step. Rank 1 runs 2
        // warm-up forwards of its 3-layer chunk, then forward and backward in turn: the third forward of that chunk
        // comes before the first of its backwards (after both of the 1-layer chunk's), so 3 * 3 layers are live.
        // 1F1B without virtual stages keeps one micro-batch of its 4 layers on the last stage.
        LlamaTrainingJob Job(int virtualStages)
        {
            var stage = TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 2, 4, 8192, 4 * 4 * 8192, microBatchSize: 1);
            stage.Parallelism.VirtualStages = virtualStages;
            var job = TestJobs.Job("llama3-8b", 8, stage);
            job.Spec.Model.Layers = 8;
            return job;
        }
        var model = ModelPresets.All["llama3-8b"];
        long logits = 4L * 8192 * model.VocabSize;

        var plain = Plan(Job(1));
        var interleaved = Plan(Job(2));

        Assert.Equal([1, 3, 3, 1], interleaved.Pipeline.LayersPerVirtualStage);
        Assert.Equal([4, 4], interleaved.LayersPerPipelineStage);
        Assert.Equal((1, (4 * LayerActivations(model, 8192, tp: 1)) + logits), (plain.PeakMemory.PipelineStage, plain.PeakMemory.ActivationsBytes));
        Assert.Equal((1, (9 * LayerActivations(model, 8192, tp: 1)) + logits), (interleaved.PeakMemory.PipelineStage, interleaved.PeakMemory.ActivationsBytes));
        Assert.Equal(plain.PeakMemory.ParametersPerGpu, interleaved.PeakMemory.ParametersPerGpu);
        Assert.Equal(plain.PeakMemory.OptimizerBytes, interleaved.PeakMemory.OptimizerBytes);
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

    /// <summary>A: one layer's activations of one sequence in bf16, 2 * S * (6 * dim + 2 * ffn + 2 * kvDim) / tp (cp 1).</summary>
    private static long LayerActivations(ModelConfig model, int sequenceLength, int tp) =>
        2L * sequenceLength * ((6 * model.Dim) + (2 * model.FfnDim) + (2 * model.KvHeads * model.HeadDim)) / tp;
}
