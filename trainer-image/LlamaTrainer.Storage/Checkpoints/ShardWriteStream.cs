using System.IO.Pipelines;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// The write-only stream a shard writer gets. Unlike <c>PipeWriter.AsStream()</c>, which silently drops writes once the
/// reading side (the upload) has stopped, every write here fails as soon as the commit is aborted, so a writer of a
/// failed checkpoint stops at once instead of serialising gigabytes into nowhere.
/// </summary>
internal sealed class ShardWriteStream(PipeWriter writer, CancellationToken abort) : ForwardOnlyStream
{
    public override bool CanRead => false;

    public override bool CanWrite => true;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abort, cancellationToken);
        linked.Token.ThrowIfCancellationRequested();
        var result = await writer.WriteAsync(buffer, linked.Token);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("the checkpoint commit was aborted", linked.Token);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(abort, cancellationToken);
        var result = await writer.FlushAsync(linked.Token);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("the checkpoint commit was aborted", linked.Token);
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
