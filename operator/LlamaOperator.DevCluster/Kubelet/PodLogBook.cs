using System.Collections.Concurrent;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>Container logs by pod and container, kept after the process exits (the log subresource reads them).</summary>
public sealed class PodLogBook
{
    private readonly ConcurrentDictionary<(string Namespace, string Pod, string Container), LogBuffer> _logs = new();

    public LogBuffer Open(string ns, string pod, string container)
    {
        var fresh = new LogBuffer();
        _logs[(ns, pod, container)] = fresh;
        return fresh;
    }

    public LogBuffer? Find(string ns, string pod, string container) => _logs.GetValueOrDefault((ns, pod, container));

    public void Forget(string ns, string pod)
    {
        foreach (var key in _logs.Keys.Where(k => k.Namespace == ns && k.Pod == pod))
        {
            _logs.TryRemove(key, out _);
        }
    }
}
