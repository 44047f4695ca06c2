using System.Security.Cryptography;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>Counts and SHA-256-hashes what passes through, so a shard's digest costs no second read.</summary>
internal sealed class DigestingReadStream(Stream inner) : ObservedReadStream(inner)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _bytes;
    private string? _sha256;

    /// <summary>Size and hash; available once the stream was read to its end.</summary>
    public (long Bytes, string Sha256) Digest =>
        _sha256 is null ? throw new InvalidOperationException("the stream was not read to its end") : (_bytes, _sha256);

    protected override void Observe(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            _sha256 ??= Convert.ToHexStringLower(_hash.GetHashAndReset());
            return;
        }
        _hash.AppendData(chunk);
        _bytes += chunk.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
