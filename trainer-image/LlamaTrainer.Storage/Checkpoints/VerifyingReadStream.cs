using System.Security.Cryptography;

namespace LlamaTrainer.Storage.Checkpoints;

/// <summary>
/// Reads a shard (or a piece of one) while checking it against its digest from <paramref name="authority"/> (the manifest,
/// or tensors.json for a piece): the read that delivers the last expected byte
/// (or hits a premature end, or delivers a byte too many) throws <see cref="CheckpointCorruptException"/> on a mismatch.
/// So a reader that consumes exactly the shard's bytes has verified it without a second pass.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, ShardDigest expected, Func<string, CheckpointCorruptException> corrupt, Action onVerified, string authority = "the manifest")
    : ObservedReadStream(inner)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _bytes;
    private bool _verified;

    protected override void Observe(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            if (_bytes < expected.Bytes)
            {
                throw corrupt($"ends after {_bytes} bytes; {authority} says {expected.Bytes}");
            }
            if (!_verified)
            {
                Complete(); // an empty shard has no last byte
            }
            return;
        }
        _bytes += chunk.Length;
        if (_verified || _bytes > expected.Bytes)
        {
            throw corrupt($"has more than the {expected.Bytes} bytes {authority} says");
        }
        _hash.AppendData(chunk);
        if (_bytes == expected.Bytes)
        {
            Complete();
        }
    }

    private void Complete()
    {
        var sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (!sha256.Equals(expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw corrupt($"has SHA-256 {sha256}; {authority} says {expected.Sha256}");
        }
        _verified = true;
        onVerified();
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
