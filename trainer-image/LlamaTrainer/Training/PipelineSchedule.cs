using System.Diagnostics;
using LlamaTrainer.Collectives;
using LlamaTrainer.Data;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// Runs one step's micro-batches on this pipeline rank as <see cref="PipelinePlan"/> orders them: 1F1B with one stage
/// per rank, the interleaved schedule with several. Hidden states go to the next stage and their gradients come back
/// over the PP group, posted and waited for where the plan says; the last stage takes the loss. With one stage and one
/// rank it is plain gradient accumulation, forward and backward per micro-batch. Gradients are handed to the optimizer
/// after each micro-batch's last backward on this rank (its first chunk's).
/// </summary>
/// <param name="contextParallel">this rank's chunks of every row under context parallelism, else null</param>
public sealed class PipelineSchedule(LlamaTransformer model, ICommunicator pipeline, ComputeDevice device, ZeroAdamW optimizer, ContextParallelChunks? contextParallel)
{
    private readonly PipelineRank _rank = model.PipelineRank;
    private readonly Dictionary<int, IReadOnlyList<PipelineEvent>> _plans = [];
    private readonly Stopwatch _exchanging = new();

    /// <summary>Time spent starting and waiting for transfers with the neighbours so far: the pipeline bubble, plus the transfers themselves.</summary>
    public TimeSpan Exchanging => _exchanging.Elapsed;

    /// <summary>Trains <paramref name="batches"/> (forward and backward, gradients reduced by the optimizer); returns this rank's summed loss (0 but on the last stage's).</summary>
    /// <param name="targetCount">the global batch's targets, by which every loss is divided</param>
    public double Run(IReadOnlyList<TokenBatch> batches, long targetCount)
    {
        if (!_plans.TryGetValue(batches.Count, out var plan))
        {
            plan = _plans[batches.Count] = PipelinePlan.Of(_rank.Ranks, _rank.VirtualStages, batches.Count)[_rank.Rank];
        }

        // The optimizer reduces once a step for fp32 weights, after the last backward: the plan ends with the first chunk's.
        var lastBackward = plan.OfType<ComputeEvent>().Last(e => e.Compute.Work == PipelineWork.Backward).Compute;
        if (lastBackward.Chunk != 0)
        {
            throw new InvalidOperationException($"the pipeline plan ends with {lastBackward}, not a backward of the first chunk");
        }

        var tensors = new Dictionary<int, BatchTensors>();
        var inFlight = new Dictionary<(int Chunk, int MicroBatch), MicroBatch>();
        var received = new Dictionary<PipelineMessage, Tensor>();
        var outgoing = new Dictionary<PipelineMessage, Tensor>();
        var pending = new Dictionary<PipelineMessage, (IPendingTransfers Transfers, int Index)>();
        double lossSum = 0;
        try
        {
            foreach (var step in plan)
            {
                switch (step)
                {
                    case PostEvent post:
                        Post(post.Messages, batches, received, outgoing, pending);
                        break;
                    case WaitEvent { Message: var message }:
                        {
                            pending.Remove(message, out var transfer);
                            _exchanging.Start();
                            transfer.Transfers.Wait(transfer.Index);
                            _exchanging.Stop();
                            if (_rank.RankOf(message.FromStage) == _rank.Rank)
                            {
                                Take(outgoing, message).Dispose();
                            }

                            break;
                        }
                    case ComputeEvent { Compute: { Work: PipelineWork.Forward } forward }:
                        {
                            var batch = tensors.TryGetValue(forward.MicroBatch, out var known) ? known
                                : tensors[forward.MicroBatch] = new BatchTensors(batches[forward.MicroBatch], device.Device, contextParallel);
                            var stage = _rank.Stages[forward.Chunk];
                            var input = stage.IsFirst ? null : Take(received, new PipelineMessage(PipelineWork.Forward, stage.Index - 1, forward.MicroBatch));
                            var microBatch = Forward(forward.Chunk, batch, input, targetCount, ref lossSum);
                            inFlight[(forward.Chunk, forward.MicroBatch)] = microBatch;
                            if (!stage.IsLast)
                            {
                                // Shares the output's memory (nothing writes it), kept alive by this handle until the send's wait.
                                outgoing[new PipelineMessage(PipelineWork.Forward, stage.Index, forward.MicroBatch)] = microBatch.Output.detach().contiguous();
                            }

                            break;
                        }
                    case ComputeEvent { Compute: { Work: PipelineWork.Backward } backward }:
                        {
                            var stage = _rank.Stages[backward.Chunk];
                            var outputGradient = stage.IsLast ? null : Take(received, new PipelineMessage(PipelineWork.Backward, stage.Index + 1, backward.MicroBatch));
                            var microBatch = inFlight[(backward.Chunk, backward.MicroBatch)];
                            inFlight.Remove((backward.Chunk, backward.MicroBatch));
                            var inputGradient = Backward(microBatch, outputGradient);
                            if (backward.Chunk == 0)
                            {
                                optimizer.ReduceGradients(lastMicroBatch: backward == lastBackward);
                                tensors.Remove(backward.MicroBatch, out var done);
                                done?.Dispose();
                            }

                            if (inputGradient is not null)
                            {
                                outgoing[new PipelineMessage(PipelineWork.Backward, stage.Index, backward.MicroBatch)] = inputGradient;
                            }

                            break;
                        }
                }
            }
        }
        finally
        {
            foreach (var left in inFlight.Values)
            {
                left.Dispose();
            }

            foreach (var left in received.Values.Concat(outgoing.Values).Concat<IDisposable>(tensors.Values))
            {
                left.Dispose();
            }
        }

        return lossSum;
    }

    /// <summary>Removes and returns the tensor of <paramref name="message"/> (received, or to be sent).</summary>
    private static Tensor Take(Dictionary<PipelineMessage, Tensor> tensors, PipelineMessage message) =>
        tensors.Remove(message, out var tensor) ? tensor : throw new InvalidOperationException($"the pipeline plan needs {message} before it has it");

    /// <summary>Starts the sends of what this rank owes and the receives of what it is owed, in the plan's order.</summary>
    private void Post(IReadOnlyList<PipelineMessage> messages, IReadOnlyList<TokenBatch> batches, Dictionary<PipelineMessage, Tensor> received, Dictionary<PipelineMessage, Tensor> outgoing, Dictionary<PipelineMessage, (IPendingTransfers, int)> pending)
    {
        var transfers = new List<Transfer>(messages.Count);
        foreach (var message in messages)
        {
            if (_rank.RankOf(message.FromStage) == _rank.Rank)
            {
                transfers.Add(Transfer.Send(outgoing[message], _rank.RankOf(message.ToStage)));
            }
            else
            {
                var batch = batches[message.MicroBatch];
                var buffer = empty([batch.BatchSize, contextParallel?.LocalLength(batch.SequenceLength) ?? batch.SequenceLength, model.Config.Dim], device.DType, device.Device);
                received[message] = buffer;
                transfers.Add(Transfer.Receive(buffer, _rank.RankOf(message.FromStage)));
            }
        }

        _exchanging.Start();
        var started = pipeline.Start(transfers);
        _exchanging.Stop();
        for (var i = 0; i < messages.Count; i++)
        {
            pending[messages[i]] = (started, i);
        }
    }

    private MicroBatch Forward(int chunk, BatchTensors tensors, Tensor? received, long targetCount, ref double lossSum)
    {
        using var scope = NewDisposeScope();
        var input = received?.requires_grad_() ?? tensors.Inputs;
        var output = model.forward(input, tensors.Positions, tensors.Documents, chunk);
        if (_rank.Stages[chunk].IsLast)
        {
            var summed = model.SummedCrossEntropy(output, tensors.Targets);
            lossSum += summed.item<float>();
            output = summed / targetCount;
        }

        return new MicroBatch(received, output.MoveToOuterDisposeScope());
    }

    /// <returns>the gradient of the chunk's input (null on the first stage), for the previous stage</returns>
    private Tensor? Backward(MicroBatch microBatch, Tensor? outputGradient)
    {
        using (microBatch)
        using (outputGradient)
        using (var scope = NewDisposeScope())
        {
            if (outputGradient is null)
            {
                microBatch.Output.backward();
            }
            else
            {
                autograd.backward([microBatch.Output], [outputGradient]);
            }

            model.ThrowIfBackwardFailed();
            return microBatch.Input?.grad?.detach().clone().MoveToOuterDisposeScope();
        }
    }

    /// <summary>A chunk's micro-batch between its forward and its backward: the received input and the output.</summary>
    private sealed record MicroBatch(Tensor? Input, Tensor Output) : IDisposable
    {
        public void Dispose()
        {
            Output.Dispose();
            Input?.Dispose();
        }
    }
}
