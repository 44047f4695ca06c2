using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Tests.Model;

namespace LlamaTrainer.Tests.Training;

public class TrainerActivationCheckpointingTests
{
    [Fact]
    public void A_stage_with_full_activation_checkpointing_trains_bit_for_bit_as_one_without()
    {
        var config = TinyConfigs.Gqa();
        (List<double> Losses, Dictionary<string, float[]> Weights) Run(ActivationCheckpointing mode)
        {
            // Two micro-batches a step: the recomputed backward accumulates into the gradients like the kept one.
            using var trainer = TrainerFactory.Create(config, TrainerFactory.Stage(budget: 64 * 5, microBatch: 2, sequenceLength: 16, checkpointing: mode), new SyntheticBatchSource(config.VocabSize));
            Assert.Equal(mode, trainer.Model.ActivationCheckpointing); // the stage's field reaches the model it trains
            var losses = Enumerable.Range(0, 5).Select(_ => trainer.Step().Loss).ToList();
            return (losses, trainer.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray()));
        }

        var kept = Run(ActivationCheckpointing.None);
        var recomputed = Run(ActivationCheckpointing.Full);

        Assert.Equal(kept.Losses, recomputed.Losses);
        foreach (var (name, weights) in kept.Weights)
            Assert.Equal(weights, recomputed.Weights[name]);
    }
}
