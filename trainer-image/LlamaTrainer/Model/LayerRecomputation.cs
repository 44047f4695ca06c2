using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace LlamaTrainer.Model;

/// <summary>
/// Activation checkpointing of one layer (the reentrant form of torch.utils.checkpoint): forward runs the layer
/// without a graph and saves only its inputs; backward runs it again with a graph and backpropagates through it,
/// which accumulates the layer's parameter gradients and gives the input's. Exact: the layer is deterministic.
/// </summary>
internal sealed class LayerRecomputation : SingleTensorFunction<LayerRecomputation>
{
    public override string Name => nameof(LayerRecomputation);

    public static Tensor Apply(TransformerBlock layer, Tensor x, Tensor cos, Tensor sin, DocumentSegments documents, BackwardFailure failure) =>
        apply(x, cos, sin, layer, documents, failure);

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (x, cos, sin) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        ctx.save_for_backward([x, cos, sin]);
        ctx.save_data(nameof(TransformerBlock), vars[3]);
        ctx.save_data(nameof(DocumentSegments), vars[4]);
        ctx.save_data(nameof(BackwardFailure), vars[5]);
        using var noGrad = no_grad();
        return ((TransformerBlock)vars[3]).forward(x, cos, sin, (DocumentSegments)vars[4]);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var x = saved[0].detach().requires_grad_();
        try
        {
            using var grad = enable_grad();
            var layer = (TransformerBlock)ctx.get_data(nameof(TransformerBlock));
            var output = layer.forward(x, saved[1], saved[2], (DocumentSegments)ctx.get_data(nameof(DocumentSegments)));
            autograd.backward([output], [grad_output]);
            return [x.grad!.MoveToOuterDisposeScope(), null!, null!, null!, null!, null!];
        }
        catch (Exception e)
        {
            ((BackwardFailure)ctx.get_data(nameof(BackwardFailure))).Record(e);
            return [zeros_like(x).MoveToOuterDisposeScope(), null!, null!, null!, null!, null!];
        }
    }
}
