using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Serilog;
using static LlamaTrainer.Collectives.Rendezvous.TcpStoreProtocol;

namespace LlamaTrainer.Collectives.Rendezvous;

/// <summary>
/// The gang's rendezvous store, served by global rank 0 at MASTER_ADDR:MASTER_PORT (the role of torchrun's TCPStore):
/// an in-memory key-value map, one task per client connection, blocking reads waiting on the server. It serves one
/// restart generation and turns away clients of any other, so a restarted gang never meets a stale one.
/// </summary>
public sealed class TcpStoreServer : IDisposable
{
    private static readonly ILogger Logger = Log.ForContext<TcpStoreServer>();

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _values = [];
    private readonly HashSet<TcpClient> _clients = [];
    private readonly Task _accepting;
    private TaskCompletionSource _changed = NewChange();

    private TcpStoreServer(TcpListener listener, string generation)
    {
        _listener = listener;
        Generation = generation;
        _accepting = AcceptAsync();
    }

    public string Generation { get; }

    /// <summary>The port it listens on (the one asked for, or the one the system chose for port 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> (port 0: any free port).</summary>
    public static TcpStoreServer Start(IPAddress address, int port, string generation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(generation);
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"the rendezvous store cannot listen on {address}:{port}: {e.Message}", e);
        }
        var server = new TcpStoreServer(listener, generation);
        Logger.Information("Rendezvous store of generation {Generation} listening on {Address}:{Port}", generation, address, server.Port);
        return server;
    }

    /// <summary>Stops listening and closes every client connection (their pending calls fail).</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _listener.Stop();
        lock (_lock)
        {
            foreach (var client in _clients)
                client.Dispose();
            _clients.Clear();
        }
        _accepting.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private static TaskCompletionSource NewChange() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            client.NoDelay = true;
            lock (_lock)
                _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var peer = client.Client.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            var stream = client.GetStream();
            if (!await HandshakeAsync(stream, peer).ConfigureAwait(false))
                return;
            while (await ReadFrameAsync(stream, _stop.Token).ConfigureAwait(false) is { } request)
                await WriteFrameAsync(stream, await HandleAsync(request).ConfigureAwait(false), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or the server stops: nothing to answer.
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            Logger.Warning("Rendezvous store dropped client {Peer}: {Reason}", peer, e.Message);
        }
        finally
        {
            lock (_lock)
                _clients.Remove(client);
            client.Dispose();
        }
    }

    private async Task<bool> HandshakeAsync(Stream stream, string peer)
    {
        var hello = await ReadFrameAsync(stream, _stop.Token).ConfigureAwait(false);
        if (hello is null)
            return false;
        using var reader = new BinaryReader(new MemoryStream(hello));
        if ((Op)reader.ReadByte() != Op.Hello)
            throw new InvalidDataException("the first request was not a hello");
        var generation = reader.ReadText();
        if (generation == Generation)
        {
            await WriteFrameAsync(stream, [(byte)Reply.Ok], _stop.Token).ConfigureAwait(false);
            return true;
        }
        var message = $"the rendezvous store serves generation {Generation}, not {generation}: this rank belongs to another start of the gang";
        Logger.Warning("Rendezvous store turned away client {Peer} of generation {ClientGeneration} (serving {Generation})", peer, generation, Generation);
        await WriteFrameAsync(stream, Build(w => { w.Write((byte)Reply.Error); w.WriteText(message); }), _stop.Token).ConfigureAwait(false);
        return false;
    }

    private async Task<byte[]> HandleAsync(byte[] request)
    {
        using var reader = new BinaryReader(new MemoryStream(request));
        var op = (Op)reader.ReadByte();
        switch (op)
        {
            case Op.Set:
                {
                    var key = reader.ReadText();
                    var value = reader.ReadBlob();
                    lock (_lock)
                    {
                        _values[key] = value;
                        _changed.TrySetResult();
                        _changed = NewChange();
                    }
                    return [(byte)Reply.Ok];
                }
            case Op.Get:
                {
                    var key = reader.ReadText();
                    var timeout = TimeSpan.FromMilliseconds(reader.ReadInt64());
                    if (await WaitForAsync([key], timeout).ConfigureAwait(false) is not [])
                        return [(byte)Reply.Timeout];
                    byte[] value;
                    lock (_lock)
                        value = _values[key];
                    return Build(w => { w.Write((byte)Reply.Ok); w.WriteBlob(value); });
                }
            case Op.Add:
                return Add(reader.ReadText(), reader.ReadInt64());
            case Op.Wait:
                {
                    var keys = reader.ReadTexts();
                    var timeout = TimeSpan.FromMilliseconds(reader.ReadInt64());
                    var missing = await WaitForAsync(keys, timeout).ConfigureAwait(false);
                    return missing.Count == 0 ? [(byte)Reply.Ok] : Build(w => { w.Write((byte)Reply.Timeout); w.WriteTexts(missing); });
                }
            case Op.Check:
                {
                    var keys = reader.ReadTexts();
                    lock (_lock)
                        return Build(w => { w.Write((byte)Reply.Ok); w.Write(keys.Select(k => _values.ContainsKey(k) ? (byte)1 : (byte)0).ToArray()); });
                }
            default:
                throw new InvalidDataException($"unknown request {(byte)op}");
        }
    }

    // Counters are stored as decimal text, so Get shows them as they are.
    private byte[] Add(string key, long delta)
    {
        lock (_lock)
        {
            long current = 0;
            if (_values.TryGetValue(key, out var stored) && !long.TryParse(Encoding.UTF8.GetString(stored), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out current))
                return Build(w => { w.Write((byte)Reply.Error); w.WriteText($"key {key} holds {stored.Length} bytes that are not a counter"); });
            var next = current + delta;
            _values[key] = Encoding.UTF8.GetBytes(next.ToString(CultureInfo.InvariantCulture));
            _changed.TrySetResult();
            _changed = NewChange();
            return Build(w => { w.Write((byte)Reply.Ok); w.Write(next); });
        }
    }

    /// <summary>The keys still missing when they all arrived (none) or the timeout passed.</summary>
    private async Task<List<string>> WaitForAsync(IReadOnlyList<string> keys, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            Task changed;
            List<string> missing;
            lock (_lock)
            {
                missing = [.. keys.Where(k => !_values.ContainsKey(k))];
                changed = _changed.Task;
            }
            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (missing.Count == 0 || remaining <= TimeSpan.Zero)
                return missing;
            try
            {
                await changed.WaitAsync(remaining, _stop.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Checked once more at the top.
            }
        }
    }
}
