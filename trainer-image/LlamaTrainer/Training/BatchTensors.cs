using LlamaTrainer.Data;
using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// A <see cref="TokenBatch"/> as int64 tensors of [batch, seq] on a device, with its documents laid out for attention;
/// under context parallelism only this rank's two chunks of every row ([batch, seq / CP]).
/// </summary>
/// <remarks>The document ids are not uploaded: the layout is built from the host array, so no device-to-host copy.</remarks>
public sealed class BatchTensors : IDisposable
{
    /// <param name="contextParallel">this rank's chunks of every row, or null for whole rows</param>
    public BatchTensors(TokenBatch batch, Device device, ContextParallelChunks? contextParallel = null)
    {
        Check(batch);
        var (rows, length) = (batch.BatchSize, batch.SequenceLength);
        long[] shape = [rows, contextParallel?.LocalLength(length) ?? length];
        int[] Local(int[] values) => contextParallel?.Slice(values, rows, length) ?? values;
        Inputs = ToTensor(Local(batch.Inputs), shape, device);
        Targets = ToTensor(Local(batch.Targets), shape, device);
        Positions = ToTensor(Local(batch.Positions), shape, device);
        Documents = DocumentSegments.Of(batch.DocumentIds, rows, length, device, contextParallel);
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
