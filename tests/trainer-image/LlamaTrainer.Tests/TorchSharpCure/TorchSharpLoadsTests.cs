using static TorchSharp.torch;

namespace LlamaTrainer.Tests.TorchSharpCure;

public class TorchSharpLoadsTests
{
    [Fact]
    public void Randn_and_a_backward_pass_run_on_this_host()
    {
        using var x = randn(4, 3, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();

        using var grad = x.grad!;
        using var expected = x.detach() * 2;
        Assert.True(grad.allclose(expected));
    }

    [Fact]
    public void Scaled_dot_product_attention_runs_with_a_boolean_mask()
    {
        using var q = randn(1, 2, 5, 8);
        using var mask = ones(5, 5, dtype: ScalarType.Bool).tril();
        using var o = nn.functional.scaled_dot_product_attention(q, q, q, mask);
        Assert.Equal([1L, 2, 5, 8], o.shape);
    }
}
