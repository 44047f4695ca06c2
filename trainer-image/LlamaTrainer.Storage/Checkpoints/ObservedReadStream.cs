namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>A forward-only read stream that shows every chunk it passes on (an empty chunk at end of stream) to <see cref="Observe"/>.</summary>
internal abstract class ObservedReadStream(Stream inner) : ForwardOnlyStream
{
    public override bool CanRead => true;

    public override bool CanWrite => false;

    /// <summary>Called with the bytes of each read; empty at end of stream. May throw to fail the read.</summary>
    protected abstract void Observe(ReadOnlySpan<byte> chunk);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        if (n > 0 || buffer.Length > 0)
        {
            Observe(buffer[..n]);
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (n > 0 || buffer.Length > 0)
        {
            Observe(buffer.Span[..n]);
        }
        return n;
    }

    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
