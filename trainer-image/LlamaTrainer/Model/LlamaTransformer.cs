using LlamaOperator.Api.V1Alpha1;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// The Llama 3 decoder: token embedding, pre-norm layers (GQA attention with RoPE, SwiGLU), final RMSNorm and an
/// untied output head. Inputs are [batch, seq] token ids, per-token positions and the packed rows' documents.
/// </summary>
public sealed class LlamaTransformer : nn.Module
{
    private readonly Embedding tok_embeddings;
    private readonly ModuleList<TransformerBlock> layers;
    private readonly RmsNorm norm;
    private readonly Linear output;
    private readonly BackwardFailure _backwardFailure = new();

    public LlamaTransformer(ModelConfig config) : base(nameof(LlamaTransformer))
    {
        Config = config;
        tok_embeddings = nn.Embedding(config.VocabSize, config.Dim);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config)).ToArray());
        norm = new RmsNorm(config.Dim, config.NormEps);
        output = nn.Linear(config.Dim, config.VocabSize, hasBias: false);
        RegisterComponents();
        Initialize();
    }

    public ModelConfig Config { get; }

    /// <summary>Full: each layer keeps only its input for backward and is recomputed there (when gradients are on).</summary>
    public ActivationCheckpointing ActivationCheckpointing { get; set; }

    /// <summary>Logits [batch, seq, vocab]; <paramref name="documents"/> must stay alive until backward has run.</summary>
    public Tensor forward(Tensor inputs, Tensor positions, DocumentSegments documents)
    {
        using var scope = NewDisposeScope();
        var h = tok_embeddings.forward(inputs);
        var (cos, sin) = RotaryEmbedding.Angles(positions, Config.HeadDim, Config.RopeTheta, h.dtype);
        var recompute = ActivationCheckpointing == ActivationCheckpointing.Full && is_grad_enabled();
        foreach (var layer in layers)
        {
            h = recompute ? LayerRecomputation.Apply(layer, h, cos, sin, documents, _backwardFailure) : layer.forward(h, cos, sin, documents);
        }
        return output.forward(norm.forward(h)).MoveToOuterDisposeScope();
    }

    /// <summary>Rethrows what a recomputed layer's backward recorded; call after every backward().</summary>
    public void ThrowIfBackwardFailed() => _backwardFailure.ThrowIfAny();

    // GPT-2/Llama style: N(0, 0.02) everywhere, residual output projections scaled by 1/sqrt(2 * layers) so the
    // residual stream's variance does not grow with depth. Uses the global generator: seed it first.
    private void Initialize()
    {
        using var noGrad = no_grad();
        var residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                continue;
            }
            var std = name.EndsWith("wo.weight", StringComparison.Ordinal) || name.EndsWith("w2.weight", StringComparison.Ordinal) ? residualStd : 0.02;
            nn.init.normal_(parameter, 0, std);
        }
    }
}
