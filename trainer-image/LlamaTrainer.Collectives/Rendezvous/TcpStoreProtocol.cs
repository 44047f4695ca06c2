using System.Buffers.Binary;
using System.Text;

namespace LlamaTrainer.Collectives.Rendezvous;

/// <summary>
/// The wire format between <see cref="TcpStoreClient"/> and <see cref="TcpStoreServer"/>: every message is a frame of
/// a little-endian int32 length and that many bytes. A request starts with an <see cref="Op"/> byte, a reply with a
/// <see cref="Reply"/> byte. Strings are an int32 length and UTF-8, byte arrays an int32 length and the bytes,
/// numbers little-endian int64. The first request of a connection is <see cref="Op.Hello"/> with the generation.
/// </summary>
internal static class TcpStoreProtocol
{
    /// <summary>No frame is larger; a longer length means the peer is not a store.</summary>
    public const int MaxFrame = 64 << 20;

    public enum Op : byte
    {
        Hello = 1, // generation -> Ok | Error(message)
        Set = 2, // key, value -> Ok
        Get = 3, // key, timeout ms -> Ok value | Timeout
        Add = 4, // key, delta -> Ok new value | Error(message)
        Wait = 5, // n, n keys, timeout ms -> Ok | Timeout n, n missing keys
        Check = 6, // n, n keys -> Ok n bytes (1: set)
    }

    public enum Reply : byte
    {
        Ok = 0,
        Timeout = 1,
        Error = 2,
    }

    public static void WriteFrame(Stream stream, byte[] payload)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, payload.Length);
        stream.Write(length);
        stream.Write(payload);
        stream.Flush();
    }

    public static async Task WriteFrameAsync(Stream stream, byte[] payload, CancellationToken cancel)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, payload.Length);
        await stream.WriteAsync(length, cancel).ConfigureAwait(false);
        await stream.WriteAsync(payload, cancel).ConfigureAwait(false);
        await stream.FlushAsync(cancel).ConfigureAwait(false);
    }

    public static byte[] ReadFrame(Stream stream)
    {
        Span<byte> length = stackalloc byte[4];
        stream.ReadExactly(length);
        var payload = new byte[CheckedLength(BinaryPrimitives.ReadInt32LittleEndian(length))];
        stream.ReadExactly(payload);
        return payload;
    }

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancel)
    {
        var length = new byte[4];
        var read = await stream.ReadAtLeastAsync(length, 4, throwOnEndOfStream: false, cancel).ConfigureAwait(false);
        if (read == 0)
            return null;
        if (read < 4)
            throw new EndOfStreamException("the connection closed inside a frame header");
        var payload = new byte[CheckedLength(BinaryPrimitives.ReadInt32LittleEndian(length))];
        await stream.ReadExactlyAsync(payload, cancel).ConfigureAwait(false);
        return payload;
    }

    public static void WriteText(this BinaryWriter writer, string value) => writer.WriteBlob(Encoding.UTF8.GetBytes(value));

    public static void WriteBlob(this BinaryWriter writer, byte[] value)
    {
        writer.Write(value.Length);
        writer.Write(value);
    }

    public static void WriteTexts(this BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(values.Count);
        foreach (var value in values)
            writer.WriteText(value);
    }

    public static string ReadText(this BinaryReader reader) => Encoding.UTF8.GetString(reader.ReadBlob());

    public static byte[] ReadBlob(this BinaryReader reader)
    {
        var length = CheckedLength(reader.ReadInt32());
        var value = reader.ReadBytes(length);
        if (value.Length != length)
            throw new InvalidDataException("a store message ended inside a value");
        return value;
    }

    public static List<string> ReadTexts(this BinaryReader reader)
    {
        var count = CheckedLength(reader.ReadInt32());
        var values = new List<string>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
            values.Add(reader.ReadText());
        return values;
    }

    /// <summary>A payload built by <paramref name="write"/>.</summary>
    public static byte[] Build(Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            write(writer);
        return buffer.ToArray();
    }

    private static int CheckedLength(int length) => length is >= 0 and <= MaxFrame
        ? length
        : throw new InvalidDataException($"a store message announced {length} bytes (at most {MaxFrame}); is the other side a rendezvous store?");
}
