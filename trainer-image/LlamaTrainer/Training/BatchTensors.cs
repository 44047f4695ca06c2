using LlamaTrainer.Data;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>A <see cref="TokenBatch"/> as int64 tensors of [batch, seq] on a device, with its documents laid out for attention.</summary>
/// <remarks>The document ids are not uploaded: the layout is built from the host array, so no device-to-host copy.</remarks>
public sealed class BatchTensors : IDisposable
{
    public BatchTensors(TokenBatch batch, Device device)
    {
        Check(batch);
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        Inputs = ToTensor(batch.Inputs, shape, device);
        Targets = ToTensor(batch.Targets, shape, device);
        Positions = ToTensor(batch.Positions, shape, device);
        Documents = DocumentSegments.Of(batch.DocumentIds, batch.BatchSize, batch.SequenceLength, device);
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    public Tensor Positions { get; }

    /// <summary>Alive as long as the batch: backward of a recomputed layer reads it again.</summary>
    public DocumentSegments Documents { get; }

    public void Dispose()
    {
        Documents.Dispose();
        Inputs.Dispose();
        Targets.Dispose();
        Positions.Dispose();
    }

    private static Tensor ToTensor(int[] values, long[] shape, Device device)
    {
        using var ints = tensor(values, shape);
        return ints.to(ScalarType.Int64, device);
    }

    private static void Check(TokenBatch batch)
    {
        var expected = batch.BatchSize * batch.SequenceLength;
        foreach (var (name, array) in new[] { ("Inputs", batch.Inputs), ("Targets", batch.Targets), ("Positions", batch.Positions), ("DocumentIds", batch.DocumentIds) })
        {
            if (array.Length != expected)
            {
                throw new ArgumentException($"TokenBatch.{name} has {array.Length} entries, expected BatchSize*SequenceLength = {expected}", nameof(batch));
            }
        }
    }
}
