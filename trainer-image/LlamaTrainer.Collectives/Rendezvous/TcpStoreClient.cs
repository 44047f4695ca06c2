using System.Diagnostics;
using System.Net.Sockets;
using static LlamaTrainer.Collectives.Rendezvous.TcpStoreProtocol;

namespace LlamaTrainer.Collectives.Rendezvous;

/// <summary>
/// A rank's connection to the gang's <see cref="TcpStoreServer"/>. Every key is sent as "generation/key", and the
/// connection starts with a handshake that the server refuses for another generation. Blocking reads wait on the server
/// up to the timeout and then throw <see cref="CollectiveTimeoutException"/> naming the keys; a lost server gives
/// <see cref="PeerFailureException"/>. Thread-safe: one request at a time.
/// </summary>
public sealed class TcpStoreClient : IKeyValueStore
{
    // Beyond the server-side wait, so that the server answers "timeout" before the socket gives up.
    private static readonly TimeSpan ReplyMargin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(100);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Lock _lock = new();

    private TcpStoreClient(TcpClient client, string address, string generation, TimeSpan timeout)
    {
        _client = client;
        _stream = client.GetStream();
        Address = address;
        Generation = generation;
        Timeout = timeout;
    }

    public string Address { get; }

    public string Generation { get; }

    /// <summary>How long blocking reads wait.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>
    /// Connects to the store at <paramref name="host"/>:<paramref name="port"/>, retrying until
    /// <paramref name="connectTimeout"/> (default: <paramref name="timeout"/>; rank 0 may start after the others), and
    /// joins <paramref name="generation"/>. <paramref name="timeout"/> bounds every blocking read afterwards.
    /// </summary>
    public static TcpStoreClient Connect(string host, int port, string generation, TimeSpan timeout, TimeSpan? connectTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentException.ThrowIfNullOrWhiteSpace(generation);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var connectWithin = connectTimeout ?? timeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connectWithin, TimeSpan.Zero, nameof(connectTimeout));
        var address = $"{host}:{port}";
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                var remaining = connectWithin - Stopwatch.GetElapsedTime(started);
                using (var attempt = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1)))
                    client.ConnectAsync(host, port, attempt.Token).AsTask().GetAwaiter().GetResult();
                var store = new TcpStoreClient(client, address, generation, timeout);
                store.Hello();
                return store;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                client.Dispose();
                if (Stopwatch.GetElapsedTime(started) + RetryInterval >= connectWithin)
                    throw new CollectiveTimeoutException($"could not reach the rendezvous store at {address} within {Seconds(connectWithin)} (generation {generation}): {e.Message}", e);
                Thread.Sleep(RetryInterval);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
    }

    public void Set(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Request(Build(w => { w.Write((byte)Op.Set); w.WriteText(Scoped(key)); w.WriteBlob(value); }), Timeout);
    }

    public byte[] Get(string key)
    {
        using var reply = Request(Build(w => { w.Write((byte)Op.Get); w.WriteText(Scoped(key)); w.Write(Milliseconds(Timeout)); }), Timeout);
        return (Reply)reply.ReadByte() switch
        {
            Reply.Ok => reply.ReadBlob(),
            _ => throw Missing([key], Timeout),
        };
    }

    public long Add(string key, long delta)
    {
        using var reply = Request(Build(w => { w.Write((byte)Op.Add); w.WriteText(Scoped(key)); w.Write(delta); }), Timeout);
        return (Reply)reply.ReadByte() switch
        {
            Reply.Ok => reply.ReadInt64(),
            _ => throw new InvalidOperationException($"add to key {key} at {Address}: {reply.ReadText()}"),
        };
    }

    public void Wait(IReadOnlyList<string> keys, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var wait = timeout ?? Timeout;
        using var reply = Request(Build(w => { w.Write((byte)Op.Wait); w.WriteTexts([.. keys.Select(Scoped)]); w.Write(Milliseconds(wait)); }), wait);
        if ((Reply)reply.ReadByte() != Reply.Ok)
            throw Missing([.. reply.ReadTexts().Select(Unscoped)], wait);
    }

    public IReadOnlyList<bool> Check(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        using var reply = Request(Build(w => { w.Write((byte)Op.Check); w.WriteTexts([.. keys.Select(Scoped)]); }), Timeout);
        reply.ReadByte();
        return [.. reply.ReadBytes(keys.Count).Select(b => b != 0)];
    }

    public void Dispose() => _client.Dispose();

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:0.###} s";

    private static long Milliseconds(TimeSpan time) => (long)Math.Ceiling(time.TotalMilliseconds);

    private string Scoped(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return $"{Generation}/{key}";
    }

    private string Unscoped(string key) => key[(Generation.Length + 1)..];

    private CollectiveTimeoutException Missing(IReadOnlyList<string> keys, TimeSpan timeout) =>
        new($"key{(keys.Count == 1 ? "" : "s")} {string.Join(", ", keys)} not set at the rendezvous store {Address} within {Seconds(timeout)} (generation {Generation})");

    private void Hello()
    {
        using var reply = Request(Build(w => { w.Write((byte)Op.Hello); w.WriteText(Generation); }), Timeout);
        if ((Reply)reply.ReadByte() != Reply.Ok)
            throw new InvalidOperationException($"the rendezvous store at {Address} refused this rank: {reply.ReadText()}");
    }

    /// <summary>Sends one request and reads its reply, which the server sends within <paramref name="wait"/>.</summary>
    private BinaryReader Request(byte[] request, TimeSpan wait)
    {
        lock (_lock)
        {
            try
            {
                _client.ReceiveTimeout = (int)Math.Min(int.MaxValue, Milliseconds(wait + ReplyMargin));
                WriteFrame(_stream, request);
                return new BinaryReader(new MemoryStream(ReadFrame(_stream)));
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                throw new PeerFailureException($"lost the rendezvous store at {Address} (generation {Generation}; global rank 0 serves it): {e.Message}", e);
            }
        }
    }
}
