using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Benchmarks;
using LlamaTrainer.Tests.Model;
using LlamaTrainer.Tests.Parallel;
using LlamaTrainer.Tests.Training;

namespace LlamaTrainer.Tests.Benchmarks;

[Collection(ThreadRanksCollection.Name)]
public class CommunicationVolumeTests
{
    /// <summary>
    /// What rank 0's collectives move in one step, counted by its metered groups, is the analytic volume to the byte:
    /// TP2 x DP2, TP4 with replicated K/V heads and activation checkpointing, DP4, PP2 x DP2, TP2 x PP2, CP2 x DP2 and
    /// CP2 x TP2 with activation checkpointing, and TP2 x PP2 with 2 virtual stages a rank (4 micro-batches of 2 x 16 tokens).
    /// </summary>
    [Theory]
    [InlineData(2, 1, 1, 2, ActivationCheckpointing.None)]
    [InlineData(4, 1, 1, 1, ActivationCheckpointing.Full)]
    [InlineData(1, 1, 1, 4, ActivationCheckpointing.None)]
    [InlineData(1, 1, 2, 2, ActivationCheckpointing.None)]
    [InlineData(2, 1, 2, 1, ActivationCheckpointing.Full)]
    [InlineData(1, 2, 1, 2, ActivationCheckpointing.None)]
    [InlineData(2, 2, 1, 1, ActivationCheckpointing.Full)]
    [InlineData(2, 1, 2, 1, ActivationCheckpointing.None, 2)]
    public void The_bytes_a_step_moves_in_each_group_are_the_analytic_volume(int tp, int cp, int pp, int dp, ActivationCheckpointing checkpointing, int virtualStages = 1)
    {
        var config = TinyConfigs.Gqa(vocab: 66) with { Layers = 4 };
        var layout = new ResolvedParallelism(tp, cp, pp, dp) { VirtualStages = virtualStages };
        var stage = TrainerFactory.Stage(batchTokens: 8 * 16, microBatch: 2, checkpointing: checkpointing, virtualStages: virtualStages);

        var measured = ThreadRanks.Run(layout, gang =>
        {
            using var trainer = TrainerFactory.Create(config, stage, new SyntheticBatchSource(config.VocabSize), groups: gang.Groups);
            var before = gang.Groups.Traffic();
            trainer.Step();
            return gang.Groups.Traffic() - before;
        });

        var expected = CommunicationVolume.PerStep(config, layout, sequenceLength: 16, microBatch: 2, globalSequences: 8, checkpointing, weightBytes: sizeof(float));
        Assert.Equal(expected, measured[0]);
        Assert.True(expected.Tp > 0 == tp > 1 && expected.Cp > 0 == cp > 1 && expected.Pp > 0 == pp > 1 && expected.Dp > 0 == dp > 1, $"expected traffic {expected}");
    }
}
