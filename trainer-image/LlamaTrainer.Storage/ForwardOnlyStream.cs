namespace LlamaTrainer.Storage;

/// <summary>The members every forward-only wrapper stream here answers alike: no seeking, no length, no position.</summary>
internal abstract class ForwardOnlyStream : Stream
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
