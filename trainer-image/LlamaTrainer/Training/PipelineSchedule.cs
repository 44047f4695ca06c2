using System.Diagnostics;
using LlamaTrainer.Collectives;
using LlamaTrainer.Data;
using LlamaTrainer.Model;
using LlamaTrainer.Parallel;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// One step's micro-batches on one pipeline stage, in the 1F1B order (Megatron's non-interleaved schedule): stage s of
/// P first runs min(P - s - 1, M) forwards, then alternates one forward and one backward, then runs the remaining
/// backwards, so at most P - s micro-batches are in flight. Hidden states go to the next stage and their gradients
/// come back over the PP group; the last stage takes the loss. With one stage it is plain gradient accumulation,
/// forward and backward per micro-batch. Each exchange with a neighbour pairs with the neighbour's exchange with this
/// stage (the schedule guarantees it); the even stage of the pair sends first and the odd one receives first, so the
/// blocking sends and receives never wait on each other.
/// </summary>
/// <param name="contextParallel">this rank's chunks of every row under context parallelism, else null</param>
public sealed class PipelineSchedule(LlamaTransformer model, ICommunicator pipeline, ComputeDevice device, ZeroAdamW optimizer, ContextParallelChunks? contextParallel)
{
    private readonly PipelineStage _stage = model.Stage;
    private readonly Stopwatch _exchanging = new();

    /// <summary>Time spent in sends and receives so far: the pipeline bubble, plus the transfers themselves.</summary>
    public TimeSpan Exchanging => _exchanging.Elapsed;

    /// <summary>Trains <paramref name="batches"/> (forward and backward, gradients reduced by the optimizer); returns this stage's summed loss (0 but on the last).</summary>
    /// <param name="targetCount">the global batch's targets, by which every loss is divided</param>
    public double Run(IReadOnlyList<TokenBatch> batches, long targetCount)
    {
        var count = batches.Count;
        var warmup = Math.Min(_stage.Count - _stage.Index - 1, count);
        var inFlight = new Queue<MicroBatch>();
        double lossSum = 0;
        var backwards = 0;
        try
        {
            for (var i = 0; i < warmup; i++)
            {
                var forward = Forward(batches[i], ReceiveForward(batches[i]), targetCount, ref lossSum);
                inFlight.Enqueue(forward);
                Exchange(send: forward.Output, to: +1, receive: null, from: 0);
            }

            var input = warmup < count ? ReceiveForward(batches[warmup]) : null;
            for (var i = warmup; i < count; i++)
            {
                var forward = Forward(batches[i], input, targetCount, ref lossSum);
                inFlight.Enqueue(forward);
                var oldest = inFlight.Peek();
                var outputGradient = _stage.IsLast ? null : empty(oldest.Output.shape, oldest.Output.dtype, oldest.Output.device);
                Exchange(send: _stage.IsLast ? null : forward.Output, to: +1, receive: outputGradient, from: +1);
                using var inputGradient = Backward(inFlight.Dequeue(), outputGradient, ++backwards == count);
                input = i == count - 1 ? null : ReceiveBuffer(batches[i + 1]);
                Exchange(send: inputGradient, to: -1, receive: input, from: -1);
            }

            while (inFlight.Count > 0)
            {
                var oldest = inFlight.Peek();
                var outputGradient = empty(oldest.Output.shape, oldest.Output.dtype, oldest.Output.device);
                Exchange(send: null, to: 0, receive: outputGradient, from: +1);
                using var inputGradient = Backward(inFlight.Dequeue(), outputGradient, ++backwards == count);
                Exchange(send: inputGradient, to: -1, receive: null, from: 0);
            }
        }
        finally
        {
            foreach (var left in inFlight)
            {
                left.Dispose();
            }
        }

        return lossSum;
    }

    /// <summary>The previous stage's hidden states for <paramref name="batch"/> (received now), or null on the first stage.</summary>
    private Tensor? ReceiveForward(TokenBatch batch)
    {
        var buffer = ReceiveBuffer(batch);
        Exchange(send: null, to: 0, receive: buffer, from: -1);
        return buffer;
    }

    private Tensor? ReceiveBuffer(TokenBatch batch) =>
        _stage.IsFirst ? null : empty([batch.BatchSize, contextParallel?.LocalLength(batch.SequenceLength) ?? batch.SequenceLength, model.Config.Dim], device.DType, device.Device);

    private MicroBatch Forward(TokenBatch batch, Tensor? received, long targetCount, ref double lossSum)
    {
        var tensors = new BatchTensors(batch, device.Device, contextParallel);
        using var scope = NewDisposeScope();
        var input = received?.requires_grad_() ?? tensors.Inputs;
        var output = model.forward(input, tensors.Positions, tensors.Documents);
        if (_stage.IsLast)
        {
            var summed = model.SummedCrossEntropy(output, tensors.Targets);
            lossSum += summed.item<float>();
            output = summed / targetCount;
        }

        return new MicroBatch(tensors, received, output.MoveToOuterDisposeScope());
    }

    /// <returns>the gradient of the stage's input (null on the first stage), for the previous stage</returns>
    private Tensor? Backward(MicroBatch microBatch, Tensor? outputGradient, bool last)
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
            optimizer.ReduceGradients(lastMicroBatch: last);
            return microBatch.Input?.grad?.detach().clone().MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Sends to and receives from the neighbours <paramref name="to"/> and <paramref name="from"/> (+1 next, -1
    /// previous, 0 none; a missing neighbour or tensor skips its half): even stages send first, odd ones receive first.
    /// </summary>
    private void Exchange(Tensor? send, int to, Tensor? receive, int from)
    {
        var sendTo = send is null || to == 0 ? -1 : _stage.Index + to;
        var receiveFrom = receive is null || from == 0 ? -1 : _stage.Index + from;
        sendTo = sendTo >= 0 && sendTo < _stage.Count ? sendTo : -1;
        receiveFrom = receiveFrom >= 0 && receiveFrom < _stage.Count ? receiveFrom : -1;
        if (sendTo < 0 && receiveFrom < 0)
        {
            return;
        }

        _exchanging.Start();
        if (_stage.Index % 2 == 0)
        {
            Send();
            Receive();
        }
        else
        {
            Receive();
            Send();
        }

        _exchanging.Stop();

        void Send()
        {
            if (sendTo >= 0)
            {
                using var contiguous = send!.detach().contiguous();
                pipeline.Send(contiguous, sendTo);
            }
        }

        void Receive()
        {
            if (receiveFrom >= 0)
            {
                pipeline.Receive(receive!, receiveFrom);
            }
        }
    }

    /// <summary>A micro-batch between its forward and its backward: its tensors (the documents backward reads again), the received input and the output.</summary>
    private sealed record MicroBatch(BatchTensors Tensors, Tensor? Input, Tensor Output) : IDisposable
    {
        public void Dispose()
        {
            Output.Dispose();
            Input?.Dispose();
            Tensors.Dispose();
        }
    }
}
