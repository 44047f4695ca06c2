using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Collectives;
using LlamaTrainer.Parallel;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// The Llama 3 decoder: token embedding, pre-norm layers (GQA attention with RoPE, SwiGLU), final RMSNorm and an
/// untied output head. Inputs are [batch, seq] token ids, per-token positions and the packed rows' documents.
/// Built on a tensor-parallel group, each rank holds its split (<see cref="TensorParallelSplit"/>): its rows of the
/// vocabulary (embedding and output head), its heads and its share of the feed-forward width; its logits are its
/// vocabulary's columns, and <see cref="SummedCrossEntropy"/> takes the loss without gathering them.
/// </summary>
public sealed class LlamaTransformer : nn.Module
{
    private readonly Embedding tok_embeddings;
    private readonly ModuleList<TransformerBlock> layers;
    private readonly RmsNorm norm;
    private readonly Linear output;
    private readonly BackwardFailure _backwardFailure = new();
    private readonly TensorParallel _tp;

    /// <summary>Draws its initial weights from the global generator: seed it first (every rank of a gang alike).</summary>
    /// <param name="tensorParallel">the TP group this rank splits the model with; one process holds it whole</param>
    public LlamaTransformer(ModelConfig config, ICommunicator? tensorParallel = null) : base(nameof(LlamaTransformer))
    {
        Config = config;
        var group = tensorParallel ?? new SoloCommunicator();
        _tp = new TensorParallel(TensorParallelSplit.Of(config, group.Size, group.Rank, "the tensor-parallel group"), group, _backwardFailure);
        // One draw decides every weight, whatever the split: the layers' own constructors draw a number of values that
        // depends on their (split) sizes.
        var seed = randint(0, long.MaxValue, [1], ScalarType.Int64).item<long>();
        var vocabulary = _tp.Split.Vocab.Count;
        tok_embeddings = nn.Embedding(vocabulary, config.Dim);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(config, _tp)).ToArray());
        norm = new RmsNorm(config.Dim, config.NormEps);
        output = nn.Linear(config.Dim, vocabulary, hasBias: false);
        RegisterComponents();
        Placements = _tp.Split.Parameters();
        Initialize((ulong)seed);
    }

    public ModelConfig Config { get; }

    /// <summary>Where each of <c>named_parameters()</c> lies in the whole model, in the same order.</summary>
    public IReadOnlyList<ParameterShard> Placements { get; }

    /// <summary>The parameters with their placements, in <c>named_parameters()</c> order, for the optimizer.</summary>
    public IEnumerable<TrainableParameter> TrainableParameters() =>
        named_parameters().Zip(Placements, (p, placement) => TrainableParameter.Of(placement, p.parameter));

    /// <summary>Full: each layer keeps only its input for backward and is recomputed there (when gradients are on).</summary>
    public ActivationCheckpointing ActivationCheckpointing { get; set; }

    /// <summary>Logits [batch, seq, vocab]; <paramref name="documents"/> must stay alive until backward has run.</summary>
    public Tensor forward(Tensor inputs, Tensor positions, DocumentSegments documents)
    {
        using var scope = NewDisposeScope();
        var h = Embed(inputs);
        var (cos, sin) = RotaryEmbedding.Angles(positions, Config.HeadDim, Config.RopeTheta, h.dtype);
        var recompute = ActivationCheckpointing == ActivationCheckpointing.Full && is_grad_enabled();
        foreach (var layer in layers)
        {
            h = recompute ? LayerRecomputation.Apply(layer, h, cos, sin, documents, _backwardFailure) : layer.forward(h, cos, sin, documents);
        }
        return output.forward(TensorParallelRegion.Enter(norm.forward(h), _tp)).MoveToOuterDisposeScope();
    }

    /// <summary>The loss summed over <paramref name="targets"/> (ignored ones excluded), from this rank's <paramref name="logits"/>, in fp32.</summary>
    public Tensor SummedCrossEntropy(Tensor logits, Tensor targets) =>
        VocabParallelCrossEntropy.Sum(logits.view(-1, logits.shape[^1]).to_type(ScalarType.Float32), targets.view(-1), _tp);

    /// <summary>Rethrows what a recomputed layer's backward recorded; call after every backward().</summary>
    public void ThrowIfBackwardFailed() => _backwardFailure.ThrowIfAny();

    /// <summary>The greedy next token at each position of <paramref name="logits"/> ([tokens, this rank's vocabulary]), as global ids.</summary>
    public Tensor GreedyTokens(Tensor logits) => VocabParallelArgmax.Of(logits, _tp);

    /// <summary>Vocabulary-parallel: each rank looks up the ids in its rows (zero for the others'), and the ranks' rows are summed.</summary>
    private Tensor Embed(Tensor inputs)
    {
        if (!_tp.IsSplit)
        {
            return tok_embeddings.forward(inputs);
        }

        var vocabulary = _tp.Split.Vocab;
        var elsewhere = inputs.lt(vocabulary.Start).logical_or(inputs.ge(vocabulary.Start + vocabulary.Count));
        var rows = tok_embeddings.forward((inputs - vocabulary.Start).masked_fill(elsewhere, 0)).masked_fill(elsewhere.unsqueeze(-1), 0);
        return TensorParallelRegion.Leave(rows, _tp);
    }

    // GPT-2/Llama style: N(0, 0.02) everywhere, residual output projections scaled by 1/sqrt(2 * layers) so the
    // residual stream's variance does not grow with depth. Every tensor is drawn whole, in the same order, and this
    // rank keeps its box: the weights are the same under every split.
    private void Initialize(ulong seed)
    {
        using var noGrad = no_grad();
        using var generator = new Generator(seed);
        var residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var ((name, parameter), placement) in named_parameters().Zip(Placements))
        {
            if (name != placement.Name || !parameter.shape.SequenceEqual(placement.Length))
            {
                throw new InvalidOperationException(
                    $"parameter {name} [{string.Join(", ", parameter.shape)}] is not the split's {placement.Name} [{string.Join(", ", placement.Length)}]");
            }

            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                continue;
            }

            using var scope = NewDisposeScope();
            var std = name.EndsWith("wo.weight", StringComparison.Ordinal) || name.EndsWith("w2.weight", StringComparison.Ordinal) ? residualStd : 0.02;
            var whole = empty(placement.Shape).normal_(0, std, generator);
            for (var d = 0; d < placement.Shape.Length; d++)
            {
                whole = whole.narrow(d, placement.Start[d], placement.Length[d]);
            }

            parameter.copy_(whole);
        }
    }
}
