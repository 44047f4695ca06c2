namespace LlamaTrainer.Storage.Tests.Support;

/// <summary>A source stream that yields some bytes and then fails, as a crashing writer would.</summary>
public sealed class FailingStream(int bytesBeforeFailure) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= bytesBeforeFailure)
        {
            throw new IOException("simulated failure while writing");
        }
        var n = Math.Min(count, bytesBeforeFailure - _position);
        buffer.AsSpan(offset, n).Fill(0x5A);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
