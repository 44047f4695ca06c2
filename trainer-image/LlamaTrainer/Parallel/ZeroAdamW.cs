using LlamaOperator.Api.Layout;
using LlamaTrainer.Collectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Parallel;

/// <summary>
/// A parameter the optimizer trains: this rank's tensor and where it lies in the model's parameter of that name
/// (<see cref="ParameterShard"/>: the whole of it in one process, a box of it under tensor parallelism). Matrices (but
/// not the input embedding) are weight-decayed.
/// </summary>
public sealed record TrainableParameter(ParameterShard Placement, Parameter Value, bool Decays)
{
    public string Name => Placement.Name;

    /// <summary>
    /// <paramref name="value"/>, the box <paramref name="placement"/> of a model parameter, with the recipe's
    /// weight-decay rule: matrices decay, norm gains and the input embedding do not (decaying a gain pulls it toward 0,
    /// not toward "no change").
    /// </summary>
    public static TrainableParameter Of(ParameterShard placement, Parameter value)
    {
        if (!value.shape.SequenceEqual(placement.Length))
        {
            throw new ArgumentException($"parameter {placement.Name} is [{string.Join(", ", value.shape)}]; its placement holds [{string.Join(", ", placement.Length)}]", nameof(value));
        }

        return new(placement, value, Decays: value.dim() >= 2 && !placement.Name.StartsWith("tok_embeddings", StringComparison.Ordinal));
    }

    /// <summary>A parameter held whole by this rank (one process, or a replicated tensor's first holder).</summary>
    public static TrainableParameter Of(string name, Parameter value) =>
        Of(new ParameterShard(name, value.shape, new long[value.dim()], value.shape, Primary: true), value);
}

/// <summary>AdamW's hyper-parameters; the learning rate comes with each step.</summary>
public sealed record AdamWSettings(double Beta1, double Beta2, double Eps, double WeightDecay);

/// <summary>
/// ZeRO-2 data parallelism as Llama 3 runs it (FSDP without re-sharding the parameters after forward). Every DP rank
/// keeps the whole parameters in the compute dtype and owns a <see cref="RowShard"/> of every parameter's fp32
/// master weights, AdamW moments and accumulated gradient. After each micro-batch's backward
/// (<see cref="ReduceGradients"/>) the gradients are converted to fp32 and reduce-scattered bucket by bucket into the
/// owned shards; <see cref="Step"/> clips by the global norm over all shards, updates the owned shards (PyTorch's
/// AdamW) and all-gathers the parameters. With dp = 1 it is plain AdamW with an fp32 master.
/// </summary>
public sealed class ZeroAdamW : IDisposable
{
    private readonly IReadOnlyList<TrainableParameter> _parameters;
    private readonly AdamWSettings _settings;
    private readonly ICommunicator _dp;
    private readonly ICommunicator _norm;
    private readonly ICommunicator? _replicas;
    private readonly IReadOnlyList<GradientBucket> _buckets;
    private readonly BucketState[] _state;
    private readonly Tensor _reduceBuffer;
    private readonly Tensor _reduceOutput;
    private readonly Tensor _gatherBuffer;
    private readonly Tensor? _gatherInput;

    /// <param name="parameters">in backward order (the order their gradients become ready), identical on every DP rank</param>
    /// <param name="dp">the ranks that hold the same parameters and shard their optimizer state</param>
    /// <param name="model">every rank whose shards together make up the model's gradient (the world); the DP group when null</param>
    /// <param name="replicas">
    /// ranks that hold the same parameters and add up their gradients before the DP reduce-scatter (the CP group: each
    /// trains other tokens of the same rows); its rank 0 alone counts in the gradient norm
    /// </param>
    public ZeroAdamW(IReadOnlyList<TrainableParameter> parameters, AdamWSettings settings, ICommunicator dp, long bucketBytes = BucketLayout.DefaultBucketBytes, ICommunicator? model = null, ICommunicator? replicas = null)
    {
        if (parameters.Count == 0)
        {
            throw new ArgumentException("no parameters to train", nameof(parameters));
        }

        var dtype = parameters[0].Value.dtype;
        var device = parameters[0].Value.device;
        if (parameters.FirstOrDefault(p => p.Value.dtype != dtype || p.Value.device_type != device.type || p.Value.device_index != device.index) is { } odd)
        {
            throw new ArgumentException($"parameter {odd.Name} is {odd.Value.dtype} on {odd.Value.device}; expected every parameter in {dtype} on {device}", nameof(parameters));
        }

        _parameters = parameters;
        _settings = settings;
        _dp = dp;
        _norm = model ?? dp;
        _replicas = replicas is { Size: > 1 } ? replicas : null;
        _buckets = BucketLayout.Plan([.. parameters.Select(p => (Rows(p.Value), RowElements(p.Value)))], dp.Size, bucketBytes);
        var largest = _buckets.Max(b => b.SegmentElements);
        _reduceBuffer = zeros(largest * dp.Size, ScalarType.Float32, device);
        _reduceOutput = zeros(largest, ScalarType.Float32, device);
        // Parameters travel in their own dtype: an fp32 master rounds to bf16 exactly once, on its owner.
        _gatherInput = dtype == ScalarType.Float32 ? null : zeros(largest, dtype, device);
        _gatherBuffer = dtype == ScalarType.Float32 ? _reduceBuffer : zeros(largest * dp.Size, dtype, device);
        _state = [.. _buckets.Select(b => new BucketState(b.SegmentElements, device))];
        Shards = [.. _buckets.SelectMany((b, i) => b.Slots.Select(s => ShardOf(s, _state[i])))];
        InitializeMasterFromParameters();
    }

    /// <summary>Optimizer steps taken (AdamW's bias correction); saved and restored with the shards.</summary>
    public long StepCount { get; set; }

    /// <summary>Every parameter's owned shard, in parameter order: what a checkpoint saves and restores.</summary>
    public IReadOnlyList<OwnedShard> Shards { get; }

    /// <summary>Bytes of the state tensors this rank holds: the fp32 accumulated gradient shard, and master weights with both moments.</summary>
    public (long GradientShard, long Optimizer) StateBytes =>
        (_state.Sum(s => Bytes(s.Gradient)), _state.Sum(s => Bytes(s.Master) + Bytes(s.ExpAvg) + Bytes(s.ExpAvgSq)));

    /// <summary>Clears the accumulated gradient shards: call at the start of every optimizer step.</summary>
    public void ZeroGradients()
    {
        foreach (var state in _state)
        {
            state.Gradient.zero_();
        }
    }

    /// <summary>
    /// After a micro-batch's backward: adds every parameter's gradient, reduced over the DP group in fp32, to the owned
    /// shards, and clears the parameters' gradients for the next micro-batch. fp32 parameters accumulate their
    /// gradients in place (no precision to lose) and are reduced once, after the step's last micro-batch; lower
    /// precision ones are reduced after every micro-batch so that accumulation happens in fp32.
    /// </summary>
    public void ReduceGradients(bool lastMicroBatch)
    {
        if (!lastMicroBatch && _parameters[0].Value.dtype == ScalarType.Float32)
        {
            return;
        }

        using var noGrad = no_grad();
        for (var b = 0; b < _buckets.Count; b++)
        {
            var bucket = _buckets[b];
            var buffer = _reduceBuffer.narrow(0, 0, bucket.SegmentElements * _dp.Size);
            if (bucket.HasPadding(_dp.Size))
            {
                buffer.zero_();
            }

            var byRank = buffer.view(_dp.Size, bucket.SegmentElements);
            foreach (var slot in bucket.Slots)
            {
                CopyRows(_parameters[slot.Parameter].Value.grad, byRank, slot, toBuffer: true);
            }

            _replicas?.AllReduce(buffer);
            var output = _reduceOutput.narrow(0, 0, bucket.SegmentElements);
            _dp.ReduceScatter(buffer, output);
            _state[b].Gradient.add_(output);
        }

        foreach (var parameter in _parameters)
        {
            parameter.Value.grad?.zero_();
        }
    }

    /// <summary>
    /// Clips the accumulated gradient to <paramref name="maxNorm"/> by its global L2 norm over every rank's shard,
    /// takes an AdamW step on the owned shards and all-gathers the parameters. Returns the norm before clipping.
    /// </summary>
    public double Step(double learningRate, double maxNorm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var squares = zeros(1, ScalarType.Float64, _state[0].Gradient.device);
        // CP replicas hold the same summed gradient: only the first counts it.
        for (var b = 0; b < _buckets.Count && (_replicas is null || _replicas.Rank == 0); b++)
        {
            var gradient = _state[b].Gradient;
            var counted = _buckets[b].Slots.Where(s => _parameters[s.Parameter].Placement.Primary).ToList();
            if (counted.Count == _buckets[b].Slots.Count)
            {
                squares.add_(gradient.square().sum().to_type(ScalarType.Float64));
                continue;
            }

            foreach (var slot in counted)
            {
                squares.add_(gradient.narrow(0, slot.Offset, slot.ShareElements).square().sum().to_type(ScalarType.Float64));
            }
        }

        _norm.AllReduce(squares);
        var norm = Math.Sqrt(squares.cpu().item<double>());
        // As torch.nn.utils.clip_grad_norm_: scale by maxNorm / (norm + 1e-6) when that is below 1.
        var clip = maxNorm / (norm + 1e-6);
        StepCount++;
        var (beta1, beta2) = (_settings.Beta1, _settings.Beta2);
        var stepSize = learningRate / (1 - Math.Pow(beta1, StepCount));
        var correction2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, StepCount));
        for (var b = 0; b < _buckets.Count; b++)
        {
            var state = _state[b];
            if (clip < 1)
            {
                state.Gradient.mul_(clip);
            }

            foreach (var slot in _buckets[b].Slots.Where(s => _parameters[s.Parameter].Decays))
            {
                state.Master.narrow(0, slot.Offset, slot.ShareElements).mul_(1 - (learningRate * _settings.WeightDecay));
            }

            state.ExpAvg.lerp_(state.Gradient, 1 - beta1);
            state.ExpAvgSq.mul_(beta2).addcmul_(state.Gradient, state.Gradient, 1 - beta2);
            var denominator = (state.ExpAvgSq.sqrt() / correction2Sqrt).add_(_settings.Eps);
            state.Master.addcdiv_(state.ExpAvg, denominator, -stepSize);
        }

        GatherParameters();
        return norm;
    }

    /// <summary>Sets every rank's parameters from the owners' master shards (after a step or a checkpoint restore).</summary>
    public void GatherParameters()
    {
        using var noGrad = no_grad();
        for (var b = 0; b < _buckets.Count; b++)
        {
            var bucket = _buckets[b];
            var master = _state[b].Master;
            var input = _gatherInput is null ? master : _gatherInput.narrow(0, 0, bucket.SegmentElements).copy_(master);
            var buffer = _gatherBuffer.narrow(0, 0, bucket.SegmentElements * _dp.Size);
            _dp.AllGather(input, buffer);
            var byRank = buffer.view(_dp.Size, bucket.SegmentElements);
            foreach (var slot in bucket.Slots)
            {
                CopyRows(_parameters[slot.Parameter].Value, byRank, slot, toBuffer: false);
            }
        }
    }

    public void Dispose()
    {
        foreach (var state in _state)
        {
            state.Dispose();
        }

        _reduceBuffer.Dispose();
        _reduceOutput.Dispose();
        _gatherInput?.Dispose();
        if (!ReferenceEquals(_gatherBuffer, _reduceBuffer))
        {
            _gatherBuffer.Dispose();
        }
    }

    private void InitializeMasterFromParameters()
    {
        using var noGrad = no_grad();
        foreach (var shard in Shards)
        {
            var rows = shard.Rows;
            if (rows.Count > 0)
            {
                shard.Master.copy_(_parameters[shard.Parameter].Value.narrow(0, rows.Start, rows.Count));
            }
        }
    }

    /// <summary>Every rank's rows of a tensor to (or from) that rank's share of the slot in a rank-major buffer.</summary>
    private void CopyRows(Tensor? tensor, Tensor byRank, BucketSlot slot, bool toBuffer)
    {
        if (tensor is null)
        {
            return; // no gradient reached this parameter: its share of the buffer stays zero
        }

        for (var rank = 0; rank < _dp.Size; rank++)
        {
            var rows = RowShard.Of(slot.Rows, _dp.Size, rank);
            if (rows.Count == 0)
            {
                continue;
            }

            var share = byRank[rank].narrow(0, slot.Offset, rows.Count * slot.RowElements);
            var own = tensor.narrow(0, rows.Start, rows.Count).view(-1);
            if (toBuffer)
            {
                share.copy_(own);
            }
            else
            {
                own.copy_(share);
            }
        }
    }

    private OwnedShard ShardOf(BucketSlot slot, BucketState state)
    {
        var parameter = _parameters[slot.Parameter];
        var rows = RowShard.Of(slot.Rows, _dp.Size, _dp.Rank);
        long[] shape = [rows.Count, .. parameter.Value.shape.Skip(1)];
        Tensor View(Tensor segment) => segment.narrow(0, slot.Offset, rows.Count * slot.RowElements).view(shape);
        return new OwnedShard(slot.Parameter, parameter.Placement, rows, View(state.Master), View(state.ExpAvg), View(state.ExpAvgSq), FirstReplica: (_replicas?.Rank ?? 0) == 0);
    }

    private static long Bytes(Tensor t) => t.numel() * t.ElementSize;

    private static long Rows(Tensor t) => t.dim() == 0 ? 1 : t.shape[0];

    private static long RowElements(Tensor t) => t.dim() == 0 ? 1 : t.numel() / t.shape[0];

    /// <summary>A bucket's owned segment: fp32 master weights, AdamW moments and the accumulated gradient.</summary>
    private sealed class BucketState(long elements, Device device) : IDisposable
    {
        public Tensor Master { get; } = zeros(elements, ScalarType.Float32, device);

        public Tensor ExpAvg { get; } = zeros(elements, ScalarType.Float32, device);

        public Tensor ExpAvgSq { get; } = zeros(elements, ScalarType.Float32, device);

        public Tensor Gradient { get; } = zeros(elements, ScalarType.Float32, device);

        public void Dispose()
        {
            Master.Dispose();
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
            Gradient.Dispose();
        }
    }
}

/// <summary>
/// One parameter's rows owned by this DP rank: views of the optimizer's fp32 master weights and AdamW moments, shaped
/// [Rows.Count, rest of this rank's tensor]. Writing into them (a checkpoint restore) changes the optimizer's state.
/// </summary>
/// <param name="Rows">the rows of this rank's tensor (the placement's box) that this DP rank owns</param>
/// <param name="FirstReplica">whether this rank is the first of the ranks that hold the same state (the CP group)</param>
public sealed record OwnedShard(int Parameter, ParameterShard Placement, RowShard Rows, Tensor Master, Tensor ExpAvg, Tensor ExpAvgSq, bool FirstReplica)
{
    public string Name => Placement.Name;

    /// <summary>The model parameter's global shape.</summary>
    public long[] Shape => Placement.Shape;

    /// <summary>Where the owned rows start in the global tensor.</summary>
    public long[] Start => [Placement.Start[0] + Rows.Start, .. Placement.Start.Skip(1)];

    /// <summary>The owned box's extent in every dimension.</summary>
    public long[] Length => [Rows.Count, .. Placement.Length.Skip(1)];

    /// <summary>Whether this rank saves these rows: it owns some, holds the primary copy of a TP-replicated tensor and is the first of its CP replicas.</summary>
    public bool Saved => Rows.Count > 0 && Placement.Primary && FirstReplica;
}
