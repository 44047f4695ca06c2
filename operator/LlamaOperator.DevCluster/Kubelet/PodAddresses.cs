using System.Globalization;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Pod IPs: on Linux every pod gets a loopback address of its own in 127.1.0.0/16 (the kernel routes all of
/// 127.0.0.0/8 to the loopback device), so the pods of two jobs listen on the same port without clashing, as on a
/// real cluster; elsewhere every pod is 127.0.0.1. Addresses are handed out round-robin, so a re-created gang does not
/// get the old gang's addresses (whose sockets may linger in TIME_WAIT), and freed when the pod is deleted. One pool
/// serves every dev cluster of the process, starting at a random address so that dev clusters of two processes (two
/// `llamaop local` runs) are unlikely to meet.
/// </summary>
internal sealed class PodAddresses
{
    private const int PerBlock = 254; // 127.1.x.1 - 127.1.x.254
    private const int Capacity = 256 * PerBlock;

    private readonly Dictionary<string, int> _byUid = new(StringComparer.Ordinal);
    private readonly HashSet<int> _used = [];
    private readonly Lock _gate = new();
    private int _next;

    /// <param name="first">Index of the first address handed out (0: 127.1.0.1).</param>
    public PodAddresses(int first) => _next = first % Capacity;

    /// <summary>The process's pool.</summary>
    public static PodAddresses Shared { get; } = new(Random.Shared.Next(Capacity));

    /// <summary>The pod's address, allocated on first use.</summary>
    /// <exception cref="InvalidOperationException">Every address is held by a pod.</exception>
    public string For(string uid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "127.0.0.1";
        }
        lock (_gate)
        {
            if (_byUid.TryGetValue(uid, out var held))
            {
                return Text(held);
            }
            if (_used.Count == Capacity)
            {
                throw new InvalidOperationException($"all {Capacity} pod addresses of 127.1.0.0/16 are held by pods");
            }
            while (_used.Contains(_next))
            {
                _next = (_next + 1) % Capacity;
            }
            var index = _next;
            _next = (_next + 1) % Capacity;
            _used.Add(index);
            _byUid[uid] = index;
            return Text(index);
        }
    }

    public void Release(string uid)
    {
        lock (_gate)
        {
            if (_byUid.Remove(uid, out var index))
            {
                _used.Remove(index);
            }
        }
    }

    private static string Text(int index) => string.Create(CultureInfo.InvariantCulture, $"127.1.{index / PerBlock}.{index % PerBlock + 1}");
}
