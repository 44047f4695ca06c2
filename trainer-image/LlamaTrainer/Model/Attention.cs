using LlamaOperator.Api.Layout;
using LlamaOperator.Api.V1Alpha1;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlamaTrainer.Model;

/// <summary>
/// Grouped-query self-attention in memory linear in the sequence: causal SDPA per document (see
/// <see cref="DocumentSegments"/>), which libtorch runs as flash attention, saving only the output and its log-sum-exp
/// for backward; no T x T mask or score matrix is ever kept. K/V heads are repeated to the query heads per call.
/// Under tensor parallelism each rank holds its query heads and their K/V heads (<see cref="TensorParallelSplit"/>):
/// wq/wk/wv are column-parallel and wo row-parallel, so attention itself needs no communication.
/// </summary>
public sealed class Attention : nn.Module
{
    private readonly int _heads, _kvHeads, _headDim;
    private readonly Linear wq, wk, wv, wo;
    private readonly TensorParallel _tp;

    public Attention(ModelConfig config, TensorParallel tp) : base(nameof(Attention))
    {
        if (config.Dim % config.Heads != 0)
        {
            throw new ArgumentException($"model.dim ({config.Dim}) must be a multiple of model.heads ({config.Heads})", nameof(config));
        }
        if (config.Heads % config.KvHeads != 0)
        {
            throw new ArgumentException($"model.heads ({config.Heads}) must be a multiple of model.kvHeads ({config.KvHeads})", nameof(config));
        }

        _tp = tp;
        _heads = tp.Split.Heads;
        _kvHeads = tp.Split.KvHeads;
        _headDim = config.HeadDim;
        wq = nn.Linear(config.Dim, _heads * _headDim, hasBias: false);
        wk = nn.Linear(config.Dim, _kvHeads * _headDim, hasBias: false);
        wv = nn.Linear(config.Dim, _kvHeads * _headDim, hasBias: false);
        wo = nn.Linear(_heads * _headDim, config.Dim, hasBias: false);
        RegisterComponents();
    }

    /// <param name="x">[batch, seq, dim]</param>
    /// <param name="cos">RoPE cos, [batch, seq, 1, headDim]</param>
    /// <param name="sin">RoPE sin, [batch, seq, 1, headDim]</param>
    /// <param name="documents">the micro-batch's documents (<see cref="DocumentSegments.Of"/>)</param>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, DocumentSegments documents)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], seq = x.shape[1];
        int groups = _heads / _kvHeads;

        x = TensorParallelRegion.Enter(x, _tp);
        Tensor KeyValue(Linear projection) => nn.functional.linear(x, TensorParallelRegion.ShareReplicaGradient(projection.weight!, _tp));
        var q = RotaryEmbedding.Apply(wq.forward(x).view(batch, seq, _heads, _headDim), cos, sin).view(batch * seq, _heads, _headDim);
        var k = RotaryEmbedding.Apply(KeyValue(wk).view(batch, seq, _kvHeads, _headDim), cos, sin).view(batch * seq, _kvHeads, _headDim);
        var v = KeyValue(wv).view(batch * seq, _kvHeads, _headDim);

        if (documents.ContextParallel is { } chunks)
        {
            // Every rank's keys and values, for the calls' documents that began in other ranks' chunks.
            k = ContextParallelGather.Apply(k, chunks, _tp.Failure);
            v = ContextParallelGather.Apply(v, chunks, _tp.Failure);
        }

        var outputs = new List<Tensor>(documents.Buckets.Count);
        foreach (var bucket in documents.Buckets)
        {
            // [count*len, heads, hd] -> [count, heads, len, hd]; head h reads K/V head h / groups.
            Tensor Gather(Tensor t, Tensor indices, int heads) => t.index_select(0, indices.view(-1)).view(bucket.Count, bucket.Length, heads, _headDim);
            Tensor Repeated(Tensor t) => groups == 1
                ? Gather(t, bucket.Gather, _kvHeads).transpose(1, 2)
                : Gather(t, bucket.Gather, _kvHeads).unsqueeze(3).expand(bucket.Count, bucket.Length, _kvHeads, groups, _headDim)
                    .reshape(bucket.Count, bucket.Length, _heads, _headDim).transpose(1, 2);
            var attended = nn.functional.scaled_dot_product_attention(Gather(q, bucket.QueryGather, _heads).transpose(1, 2), Repeated(k), Repeated(v), null, 0.0, true);
            outputs.Add(attended.transpose(1, 2).reshape((long)bucket.Count * bucket.Length, _heads * _headDim).index_select(0, bucket.Real));
        }
        var merged = (outputs.Count == 1 ? outputs[0] : cat(outputs, 0)).index_select(0, documents.Order).view(batch, seq, _heads * _headDim);
        return TensorParallelRegion.Leave(wo.forward(merged), _tp).MoveToOuterDisposeScope();
    }
}
