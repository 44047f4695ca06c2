using System.Security.Cryptography;

namespace LlamaTrainer.Storage.Checkpoints.Tensors;

/// <summary>Passes a piece's bytes on to the shard stream while counting and hashing them, so each piece gets its own digest in the one pass.</summary>
internal sealed class PieceHashingStream(Stream shard) : ForwardOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Bytes { get; private set; }

    public override bool CanRead => false;

    public override bool CanWrite => true;

    /// <summary>Lowercase hex SHA-256 of what was written.</summary>
    public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await shard.WriteAsync(buffer, cancellationToken);
        _hash.AppendData(buffer.Span);
        Bytes += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        shard.Write(buffer);
        _hash.AppendData(buffer);
        Bytes += buffer.Length;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => shard.FlushAsync(cancellationToken);

    public override void Flush() => shard.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose(); // not the shard stream: the next piece goes there too
        }
        base.Dispose(disposing);
    }
}
