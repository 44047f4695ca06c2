using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

public class LayerRecomputationTests
{
    [Fact]
    public void Recomputing_every_layer_in_backward_gives_the_same_loss_and_every_gradient_bit_for_bit()
    {
        var config = TinyConfigs.Gqa() with { Layers = 3 };
        manual_seed(7);
        using var kept = new LlamaTransformer(config);
        using var recomputed = new LlamaTransformer(config) { ActivationCheckpointing = ActivationCheckpointing.Full };
        recomputed.load_state_dict(kept.state_dict());
        using var tokens = randint(0, config.VocabSize, [2, 24], dtype: ScalarType.Int64, generator: new Generator(3));
        using var positions = tensor(Enumerable.Range(0, 24).Select(i => (long)(i < 10 ? i : i - 10)).ToArray()).unsqueeze(0).expand(2, 24);
        using var ids = tensor(Enumerable.Range(0, 24).Select(i => i < 10 ? 0L : 1L).ToArray()).unsqueeze(0).expand(2, 24);
        using var documents = DocumentSegments.Of(ids);

        float Loss(LlamaTransformer model)
        {
            using var scope = NewDisposeScope();
            var loss = model.forward(tokens, positions, documents).square().mean();
            loss.backward();
            model.ThrowIfBackwardFailed();
            return loss.item<float>();
        }

        Assert.Equal(Loss(kept), Loss(recomputed));
        var expected = kept.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, parameter) in recomputed.named_parameters())
            Assert.True(parameter.grad!.allclose(expected[name], rtol: 0, atol: 0), $"gradient of {name} differs by up to {(parameter.grad! - expected[name]).abs().max().item<float>()}");
    }

    [Fact]
    public void A_failure_inside_a_recomputed_backward_is_rethrown_after_backward_instead_of_aborting_the_process()
    {
        var config = TinyConfigs.Gqa();
        manual_seed(8);
        using var model = new LlamaTransformer(config) { ActivationCheckpointing = ActivationCheckpointing.Full };
        using var tokens = randint(0, config.VocabSize, [1, 8], dtype: ScalarType.Int64);
        using var positions = arange(8, dtype: ScalarType.Int64).unsqueeze(0);
        var documents = DocumentSegments.Of(zeros([1, 8], ScalarType.Int64));
        using var loss = model.forward(tokens, positions, documents).square().mean();

        documents.Dispose(); // the layout backward needs to recompute the layers is gone
        loss.backward();

        var error = Assert.Throws<InvalidOperationException>(model.ThrowIfBackwardFailed);
        Assert.StartsWith("backward failed: ", error.Message);
        model.ThrowIfBackwardFailed(); // reported once
    }
}
