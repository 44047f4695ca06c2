namespace LlamaTrainer.Storage;

/// <summary>A read stream that ends after at most a given number of bytes of the stream it wraps (and disposes): one ranged read.</summary>
internal sealed class BoundedReadStream(Stream inner, long length) : ForwardOnlyStream
{
    private long _left = length;

    public override bool CanRead => true;

    public override bool CanWrite => false;

    /// <summary>Reads and drops <paramref name="bytes"/> bytes (fewer if the stream ends first): the start of a range on a store that cannot seek.</summary>
    public static async Task SkipAsync(Stream stream, long bytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[(int)Math.Min(bytes, 1 << 20)];
        while (bytes > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(bytes, buffer.Length)), cancellationToken);
            if (n == 0)
            {
                return;
            }
            bytes -= n;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
        _left -= n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_left == 0)
        {
            return 0;
        }
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
        _left -= n;
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
