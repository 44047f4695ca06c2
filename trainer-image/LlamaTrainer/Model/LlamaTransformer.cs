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
    // Null on the pipeline stages that do not hold them (not registered, so not parameters there).
    private readonly Embedding? tok_embeddings;
    private readonly ModuleList<TransformerBlock> layers;
    private readonly RmsNorm? norm;
    private readonly Linear? output;
    private readonly BackwardFailure _backwardFailure = new();
    private readonly TensorParallel _tp;
    // The whole model's number of each held layer, in `layers` order (chunk after chunk).
    private readonly int[] _layerNumbers;

    /// <summary>
    /// Initial weights from <paramref name="seed"/>, the same under every split; without one, from the global generator
    /// (seed that first, every rank alike). manual_seed(s) and then no seed gives the weights of seed s.
    /// </summary>
    /// <param name="tensorParallel">the TP group this rank splits the model with; one process holds it whole</param>
    /// <param name="pipelineRank">the pipeline stages this rank holds; the whole model when null</param>
    /// <param name="pipeline">the PP group, in pipeline rank order (with <paramref name="pipelineRank"/>)</param>
    /// <param name="seed">the job's seed: an explicit one reads no global state, so concurrent builds cannot disturb it</param>
    public LlamaTransformer(ModelConfig config, ICommunicator? tensorParallel = null, PipelineRank? pipelineRank = null, ICommunicator? pipeline = null, long? seed = null) : base(nameof(LlamaTransformer))
    {
        Config = config;
        PipelineRank = pipelineRank ?? PipelineRank.Whole(config);
        Pipeline = pipeline ?? new SoloCommunicator();
        if (Pipeline.Size != PipelineRank.Ranks || Pipeline.Rank != PipelineRank.Rank)
        {
            throw new ArgumentException($"pipeline rank {PipelineRank.Rank} of {PipelineRank.Ranks} needs a pipeline group of {PipelineRank.Ranks} in which it is rank {PipelineRank.Rank}, got rank {Pipeline.Rank} of {Pipeline.Size} ({Pipeline.Name})", nameof(pipeline));
        }

        var group = tensorParallel ?? new SoloCommunicator();
        _tp = new TensorParallel(TensorParallelSplit.Of(config, group.Size, group.Rank, "the tensor-parallel group"), group, _backwardFailure);
        // One draw decides every weight, whatever the split: the layers' own constructors draw a number of values that
        // depends on their (split) sizes.
        using var seeded = seed is { } s ? new Generator((ulong)s) : null;
        var weightSeed = randint(0, long.MaxValue, [1], ScalarType.Int64, generator: seeded).item<long>();
        var vocabulary = _tp.Split.Vocab.Count;
        var stages = PipelineRank.Stages;
        _layerNumbers = [.. stages.SelectMany(s => Enumerable.Range(s.FirstLayer, s.Layers))];
        tok_embeddings = PipelineRank.HoldsFirst ? nn.Embedding(vocabulary, config.Dim) : null;
        layers = nn.ModuleList(_layerNumbers.Select(_ => new TransformerBlock(config, _tp)).ToArray());
        norm = PipelineRank.HoldsLast ? new RmsNorm(config.Dim, config.NormEps) : null;
        output = PipelineRank.HoldsLast ? nn.Linear(config.Dim, vocabulary, hasBias: false) : null;
        RegisterComponents();
        // named_parameters() order: the embedding, every chunk's layers in order, then the norm and the head.
        Placements = [.. stages.SelectMany(s => _tp.Split.Parameters(s.FirstLayer, s.Layers, s.IsFirst, s.IsLast))];
        Initialize((ulong)weightSeed);
    }

    /// <summary>This rank's part of the model in its gang: its TP group's split of its pipeline stages' layers.</summary>
    /// <param name="virtualStages">stages per pipeline rank (interleaved 1F1B when above 1)</param>
    public static LlamaTransformer For(ModelConfig config, ProcessGroups groups, long seed, int virtualStages = 1) =>
        new(config, groups.Tp, PipelineRank.Of(config, groups.Pp.Size, virtualStages, groups.Pp.Rank), groups.Pp, seed);

    public ModelConfig Config { get; }

    /// <summary>The pipeline stages (chunks of layers) this rank holds: the whole model without pipeline parallelism.</summary>
    public PipelineRank PipelineRank { get; }

    /// <summary>The pipeline's ranks, through which hidden states and their gradients travel.</summary>
    public ICommunicator Pipeline { get; }

    /// <summary>
    /// Where each of <c>named_parameters()</c> lies in the whole model, in the same order, by its name in the whole model
    /// (a pipeline stage's layers are numbered from its first layer there, from 0 in <c>named_parameters()</c>).
    /// </summary>
    public IReadOnlyList<ParameterShard> Placements { get; }

    /// <summary>The parameters with their placements, in <c>named_parameters()</c> order, for the optimizer.</summary>
    public IEnumerable<TrainableParameter> TrainableParameters() =>
        named_parameters().Zip(Placements, (p, placement) => TrainableParameter.Of(placement, p.parameter));

    /// <summary>Full: each layer keeps only its input for backward and is recomputed there (when gradients are on).</summary>
    public ActivationCheckpointing ActivationCheckpointing { get; set; }

    /// <summary>
    /// Logits [batch, seq, vocab] from token ids [batch, seq]; on a pipeline, chunk <paramref name="chunk"/> of this
    /// rank's stages runs: from the token ids on the first stage or the previous stage's hidden states
    /// [batch, seq, dim], and to hidden states unless it is the last stage.
    /// <paramref name="documents"/> must stay alive until backward has run.
    /// </summary>
    public Tensor forward(Tensor inputs, Tensor positions, DocumentSegments documents, int chunk = 0)
    {
        using var scope = NewDisposeScope();
        var stage = PipelineRank.Stages[chunk];
        var h = stage.IsFirst ? Embed(inputs) : inputs;
        var (cos, sin) = RotaryEmbedding.Angles(positions, Config.HeadDim, Config.RopeTheta, h.dtype);
        var recompute = ActivationCheckpointing == ActivationCheckpointing.Full && is_grad_enabled();
        var first = PipelineRank.Stages.Take(chunk).Sum(s => s.Layers);
        for (var i = first; i < first + stage.Layers; i++)
        {
            var layer = layers[i];
            h = recompute ? LayerRecomputation.Apply(layer, h, cos, sin, documents, _backwardFailure) : layer.forward(h, cos, sin, documents);
        }
        return (stage.IsLast ? output!.forward(TensorParallelRegion.Enter(norm!.forward(h), _tp)) : h).MoveToOuterDisposeScope();
    }

    /// <summary>The loss summed over <paramref name="targets"/> (ignored ones excluded), from this rank's <paramref name="logits"/>, in fp32.</summary>
    public Tensor SummedCrossEntropy(Tensor logits, Tensor targets) =>
        VocabParallelCrossEntropy.Sum(logits.view(-1, logits.shape[^1]).to_type(ScalarType.Float32), targets.view(-1), _tp);

    /// <summary>Rethrows what a custom backward (a recomputed layer, a TP or CP collective) recorded; call after every backward().</summary>
    public void ThrowIfBackwardFailed() => _backwardFailure.ThrowIfAny();

    /// <summary>
    /// The whole model's logits for an evaluation batch, without gradients: on a pipeline each stage receives the
    /// previous one's hidden states and sends its own on (a rank runs its chunks in turn); null on every rank but the
    /// last stage's. Every rank calls it alike.
    /// </summary>
    public Tensor? EvaluationLogits(Tensor inputs, Tensor positions, DocumentSegments documents)
    {
        using var noGrad = no_grad();
        for (var chunk = 0; chunk < PipelineRank.VirtualStages; chunk++)
        {
            var stage = PipelineRank.Stages[chunk];
            var input = inputs;
            if (!stage.IsFirst)
            {
                input = empty([inputs.shape[0], inputs.shape[1], Config.Dim], parameters().First().dtype, inputs.device);
                Pipeline.Receive(input, PipelineRank.RankOf(stage.Index - 1));
            }

            using (stage.IsFirst ? null : input)
            {
                var output = forward(input, positions, documents, chunk);
                if (stage.IsLast)
                {
                    return output;
                }

                using (output)
                using (var contiguous = output.contiguous())
                {
                    Pipeline.Send(contiguous, PipelineRank.RankOf(stage.Index + 1));
                }
            }
        }

        return null;
    }

    /// <summary>In place: every pipeline rank ends with the last stage's <paramref name="value"/> (a loss, greedy tokens).</summary>
    public void ShareFromLastStage(Tensor value) => Pipeline.Broadcast(value, PipelineRank.Ranks - 1);

    /// <summary>The greedy next token at each position of <paramref name="logits"/> ([tokens, this rank's vocabulary]), as global ids.</summary>
    public Tensor GreedyTokens(Tensor logits) => VocabParallelArgmax.Of(logits, _tp);

    /// <summary>Vocabulary-parallel: each rank looks up the ids in its rows (zero for the others'), and the ranks' rows are summed.</summary>
    private Tensor Embed(Tensor inputs)
    {
        if (!_tp.IsSplit)
        {
            return tok_embeddings!.forward(inputs);
        }

        var vocabulary = _tp.Split.Vocab;
        var elsewhere = inputs.lt(vocabulary.Start).logical_or(inputs.ge(vocabulary.Start + vocabulary.Count));
        var rows = tok_embeddings!.forward((inputs - vocabulary.Start).masked_fill(elsewhere, 0)).masked_fill(elsewhere.unsqueeze(-1), 0);
        return TensorParallelRegion.Leave(rows, _tp);
    }

    // GPT-2/Llama style: N(0, 0.02) everywhere, residual output projections scaled by 1/sqrt(2 * layers) so the
    // residual stream's variance does not grow with depth. Every tensor is drawn whole from a generator of its own
    // (seeded by the model's seed and its index in the whole model) and this rank keeps its box: the weights are the
    // same under every split, pipeline stages included.
    private void Initialize(ulong seed)
    {
        using var noGrad = no_grad();
        var indexInModel = TensorParallelSplit.Of(Config, 1, 0).Parameters().Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var ((localName, parameter), placement) in named_parameters().Zip(Placements))
        {
            var name = NameInModel(localName);
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
            using var generator = new Generator(unchecked(seed + (ulong)indexInModel[name]));
            var std = name.EndsWith("wo.weight", StringComparison.Ordinal) || name.EndsWith("w2.weight", StringComparison.Ordinal) ? residualStd : 0.02;
            var whole = empty(placement.Shape).normal_(0, std, generator);
            parameter.copy_(TensorBox.Of(whole, placement.Start, placement.Length));
        }
    }

    /// <summary>"layers.J.rest" of this rank is "layers.(the J-th held layer's number).rest" of the whole model.</summary>
    private string NameInModel(string localName)
    {
        const string Prefix = "layers.";
        if (!localName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return localName;
        }

        var dot = localName.IndexOf('.', Prefix.Length);
        var local = int.Parse(localName.AsSpan(Prefix.Length, dot - Prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
        return $"{Prefix}{_layerNumbers[local]}{localName[dot..]}";
    }
}
