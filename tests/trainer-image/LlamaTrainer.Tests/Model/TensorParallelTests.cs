using LlamaOperator.Api.Layout;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;
using LlamaTrainer.Model;
using LlamaTrainer.Tests.Parallel;
using LlamaTrainer.Tests.Training;
using LlamaTrainer.Training;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

[Collection(ThreadRanksCollection.Name)]
public class TensorParallelTests
{
    /// <summary>A loss and every parameter's gradient, as one rank holds them (its box of each parameter).</summary>
    private sealed record Backward(double Loss, Dictionary<string, (ParameterShard Placement, Tensor Weight, Tensor Gradient)> Parameters);

    private static Backward LossAndGradients(LlamaTransformer model, ActivationCheckpointing checkpointing)
    {
        model.ActivationCheckpointing = checkpointing;
        var data = new SyntheticBatchSource(model.Config.VocabSize, seed: 4);
        using var tensors = new BatchTensors(data.Next(3, 24), CPU);
        using var logits = model.forward(tensors.Inputs, tensors.Positions, tensors.Documents);
        using var loss = model.SummedCrossEntropy(logits, tensors.Targets);
        loss.backward();
        model.ThrowIfBackwardFailed();
        return new Backward(
            loss.item<float>(),
            model.named_parameters().Zip(model.Placements).ToDictionary(p => p.First.name, p => (p.Second, p.First.parameter.detach().clone(), p.First.parameter.grad!.clone())));
    }

    /// <summary>
    /// TP2 splits the K/V heads, TP4 replicates each of the 2 across 2 ranks; the vocabulary of 66 ids splits 33/33 and
    /// 17/17/17/15, the feed-forward width 64 evenly. Every rank's weights are the exact box of one process's, and its
    /// loss and gradients equal one process's: loss within 1e-5 relative and gradients within 1e-4 relative + 1e-6
    /// absolute in fp32 (the ranks' partial sums are added in another order than one matmul adds them).
    /// </summary>
    [Theory]
    [InlineData(2, ActivationCheckpointing.None)]
    [InlineData(4, ActivationCheckpointing.None)]
    [InlineData(2, ActivationCheckpointing.Full)]
    public void Every_rank_of_a_tensor_parallel_group_computes_the_loss_and_its_part_of_every_gradient_of_one_process(int tp, ActivationCheckpointing checkpointing)
    {
        var config = TinyConfigs.Gqa(vocab: 66);
        using var single = new LlamaTransformer(config, seed: 5);
        var expected = LossAndGradients(single, ActivationCheckpointing.None);

        var ranks = ThreadRanks.Run(new ResolvedParallelism(tp, 1, 1, 1), gang =>
        {
            using var model = new LlamaTransformer(config, gang.Groups.Tp, seed: 5);
            return LossAndGradients(model, checkpointing);
        });

        Assert.Equal(2, TensorParallelSplit.Of(config, 4, 0).KvReplicas);
        foreach (var rank in ranks)
        {
            Assert.Equal(expected.Loss, rank.Loss, Math.Abs(expected.Loss) * 1e-5);
            Assert.Equal(expected.Parameters.Keys, rank.Parameters.Keys);
            foreach (var (name, (placement, weight, gradient)) in rank.Parameters)
            {
                var (_, wholeWeight, wholeGradient) = expected.Parameters[name];
                Assert.True(TensorBox.Of(wholeWeight, placement.Start, placement.Length).eq(weight).all().item<bool>(), $"{name}: the weights are not one process's box {string.Join(",", placement.Start)}");
                var reference = TensorBox.Of(wholeGradient, placement.Start, placement.Length);
                Assert.True(gradient.allclose(reference, rtol: 1e-4, atol: 1e-6), $"{name}: largest gradient difference {(gradient - reference).abs().max().item<float>():E2}");
            }
        }

        // The ranks' boxes tile every parameter: each element is held by one primary holder.
        foreach (var (name, (placement, _, _)) in expected.Parameters)
        {
            Assert.Equal(placement.Elements, ranks.Sum(r => r.Parameters[name].Placement is { Primary: true } p ? p.Elements : 0));
        }
    }

    [Fact]
    public void A_split_the_model_does_not_divide_into_is_refused_naming_the_model_sizes()
    {
        var config = TinyConfigs.Gqa(vocab: 66) with { Heads = 6, KvHeads = 3, Dim = 48 };

        var heads = Assert.Throws<PlanException>(() => TensorParallelSplit.Of(config, 4, 0, "spec.stages[0].parallelism.tp"));
        var kvHeads = TensorParallelSplit.FindProblem(config, 2);

        Assert.Contains("spec.stages[0].parallelism.tp: expected a divisor of the model's attention heads (6), found 4", heads.Message);
        Assert.Contains("key/value heads (3)", kvHeads);
        Assert.Contains("vocabulary (3)", TensorParallelSplit.FindProblem(config with { VocabSize = 3, Heads = 6, KvHeads = 6 }, 6));
    }
}
