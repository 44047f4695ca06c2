using LlamaTrainer.Data;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>A <see cref="TokenBatch"/> as int64 tensors of [batch, seq] on a device, with its documents laid out for attention.</summary>
public sealed class BatchTensors : IDisposable
{
    public BatchTensors(TokenBatch batch, Device device)
    {
        Check(batch);
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        Inputs = ToTensor(batch.Inputs, shape, device);
        Targets = ToTensor(batch.Targets, shape, device);
        Positions = ToTensor(batch.Positions, shape, device);
        DocumentIds = ToTensor(batch.DocumentIds, shape, device);
        Documents = DocumentSegments.Of(DocumentIds);
    }

    public Tensor Inputs { get; }

    public Tensor Targets { get; }

    public Tensor Positions { get; }

    public Tensor DocumentIds { get; }

    /// <summary>Alive as long as the batch: backward of a recomputed layer reads it again.</summary>
    public DocumentSegments Documents { get; }

    public void Dispose()
    {
        Documents.Dispose();
        Inputs.Dispose();
        Targets.Dispose();
        Positions.Dispose();
        DocumentIds.Dispose();
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
