using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Model;
using LlamaTrainer.Tests.Parallel;
using LlamaTrainer.Tests.Training;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

[Collection(ThreadRanksCollection.Name)]
public class ContextParallelTests
{
    /// <summary>
    /// Rows of 48 tokens packed with documents of 3-12 tokens, many of them across chunk boundaries, split over CP2
    /// (4 chunks of 12), CP4 (8 chunks of 6) and CP2 x TP2: the CP ranks' losses add up to one process's and their
    /// gradients (each from its own tokens' loss) add up to one process's gradient, within fp32 rounding (loss 1e-5
    /// relative; gradients 1e-4 relative + 1e-6 absolute). Weights are replicated over CP, so every rank holds them whole
    /// (under TP its split).
    /// </summary>
    [Theory]
    [InlineData(2, 1, ActivationCheckpointing.None)]
    [InlineData(4, 1, ActivationCheckpointing.None)]
    [InlineData(2, 2, ActivationCheckpointing.Full)]
    public void The_ranks_of_a_context_parallel_group_add_up_to_the_loss_and_gradients_of_one_process(int cp, int tp, ActivationCheckpointing checkpointing)
    {
        var config = TinyConfigs.Gqa(vocab: 66);
        var batch = new SyntheticBatchSource(config.VocabSize, seed: 12).Next(3, 48);
        (double Loss, Dictionary<string, Tensor> Gradients) Run(LlamaTransformer model, ContextParallelChunks? chunks)
        {
            model.ActivationCheckpointing = checkpointing;
            using var tensors = new BatchTensors(batch, CPU, chunks);
            using var logits = model.forward(tensors.Inputs, tensors.Positions, tensors.Documents);
            using var loss = model.SummedCrossEntropy(logits, tensors.Targets);
            loss.backward();
            model.ThrowIfBackwardFailed();
            return (loss.item<float>(), model.named_parameters().Zip(model.Placements).ToDictionary(p => p.Second.Name, p => p.First.parameter.grad!.clone()));
        }

        using var single = new LlamaTransformer(config, seed: 3);
        var expected = Run(single, null);
        var ranks = ThreadRanks.Run(new ResolvedParallelism(tp, cp, 1, 1), gang =>
        {
            using var model = LlamaTransformer.For(config, gang.Groups, seed: 3);
            var (loss, gradients) = Run(model, new ContextParallelChunks(gang.Groups.Cp));
            return (gang.Groups.Tp.Rank, Loss: loss, Gradients: gradients, Placements: model.Placements);
        });

        foreach (var tpRank in Enumerable.Range(0, tp))
        {
            var group = ranks.Where(r => r.Rank == tpRank).ToList();
            Assert.Equal(cp, group.Count);
            var loss = group.Sum(r => r.Loss);
            Assert.Equal(expected.Loss, loss, Math.Abs(expected.Loss) * 1e-5);
            foreach (var placement in group[0].Placements)
            {
                var summed = group.Select(r => r.Gradients[placement.Name]).Aggregate((a, b) => a + b);
                var reference = TensorBox.Of(expected.Gradients[placement.Name], placement.Start, placement.Length);
                Assert.True(summed.allclose(reference, rtol: 1e-4, atol: 1e-6), $"{placement.Name}: largest gradient difference {(summed - reference).abs().max().item<float>():E2}");
            }
        }

        Assert.All(ranks, r => Assert.True(r.Loss > 0, "every rank trains some of the targets"));
    }

    [Fact]
    public void Each_rank_holds_chunks_i_and_2cp_minus_1_minus_i_and_finds_every_key_in_the_gathered_tokens()
    {
        // Two ranks' views of one row of 8 tokens (chunks of 2): rank 0 holds positions 0,1,6,7 and rank 1 2,3,4,5.
        var positions = Enumerable.Range(0, 16).ToArray(); // 2 rows
        var views = Enumerable.Range(0, 2).Select(rank => new ContextParallelChunks(new FixedRank(rank, 2))).ToList();

        Assert.Equal([0, 1, 6, 7, 8, 9, 14, 15], views[0].Slice(positions, 2, 8));
        Assert.Equal([2, 3, 4, 5, 10, 11, 12, 13], views[1].Slice(positions, 2, 8));
        // Gathered: rank 0's 8 local tokens, then rank 1's; row 1, position 5 is rank 1's local token 7.
        Assert.Equal(15, views[0].GatheredIndex(row: 1, position: 5, rows: 2, length: 8));
        Assert.Equal(3, views[1].GatheredIndex(row: 0, position: 7, rows: 2, length: 8));
        Assert.Throws<ArgumentException>(() => views[0].ChunkLength(6));
    }

    /// <summary>A group whose rank and size are all the chunk arithmetic reads.</summary>
    private sealed class FixedRank(int rank, int size) : LlamaTrainer.Collectives.ICommunicator
    {
        public int Rank => rank;

        public int Size => size;

        public string Name => $"rank {rank} of {size}";

        public Device Device => CPU;

        public int GlobalRank(int groupRank) => groupRank;

        public void AllReduce(Tensor tensor, LlamaTrainer.Collectives.ReduceOp op = LlamaTrainer.Collectives.ReduceOp.Sum) => throw new NotSupportedException();

        public void ReduceScatter(Tensor input, Tensor output, LlamaTrainer.Collectives.ReduceOp op = LlamaTrainer.Collectives.ReduceOp.Sum) => throw new NotSupportedException();

        public void AllGather(Tensor input, Tensor output) => throw new NotSupportedException();

        public void Broadcast(Tensor tensor, int root) => throw new NotSupportedException();

        public LlamaTrainer.Collectives.IPendingTransfers Start(IReadOnlyList<LlamaTrainer.Collectives.Transfer> transfers) => throw new NotSupportedException();

        public void Barrier() => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
