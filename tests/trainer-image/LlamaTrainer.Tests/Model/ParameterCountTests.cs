using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

public class ParameterCountTests
{
    [Theory]
    [InlineData("llama3-8b", 8.03e9)]
    [InlineData("llama3-70b", 70.6e9)]
    [InlineData("llama3-405b", 405.9e9)]
    public void Analytic_count_of_the_paper_models_is_within_half_a_percent(string preset, double published)
    {
        var count = ModelPresets.All[preset].ParameterCount;

        Assert.InRange(count, published * 0.995, published * 1.005);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(4, 4)]
    [InlineData(4, 1)]
    public void A_built_model_has_exactly_the_analytic_parameter_count(int heads, int kvHeads)
    {
        var config = TinyConfigs.Gqa(vocab: 100) with { Heads = heads, KvHeads = kvHeads, Layers = 3 };
        using var model = new LlamaTransformer(config);

        var real = model.parameters().Sum(p => p.numel());

        Assert.Equal(config.ParameterCount, real);
    }
}
