namespace LlamaTrainer.Collectives.Rendezvous;

/// <summary>
/// The rendezvous key-value store of one gang (the role of torchrun's TCPStore): global rank 0 serves it, every rank
/// is a client. Keys are scoped to the gang's restart generation, so a restarted gang never reads a stale one's keys.
/// Blocking reads wait up to the store's timeout and then throw <see cref="CollectiveTimeoutException"/> naming the keys.
/// </summary>
public interface IKeyValueStore : IDisposable
{
    /// <summary>Where the store is served, host:port, for error messages.</summary>
    string Address { get; }

    void Set(string key, byte[] value);

    /// <summary>The value of <paramref name="key"/>, waiting for it to be set.</summary>
    byte[] Get(string key);

    /// <summary>Atomically adds <paramref name="delta"/> to a counter (missing = 0) and returns the new value.</summary>
    long Add(string key, long delta);

    /// <summary>Returns once every key is set, waiting up to <paramref name="timeout"/> (null: the store's timeout).</summary>
    void Wait(IReadOnlyList<string> keys, TimeSpan? timeout = null);

    /// <summary>Which of <paramref name="keys"/> are set now, without waiting.</summary>
    IReadOnlyList<bool> Check(IReadOnlyList<string> keys);
}
