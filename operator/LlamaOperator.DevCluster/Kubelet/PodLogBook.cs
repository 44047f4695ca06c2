using System.Collections.Concurrent;
using System.Globalization;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Container logs by pod and container, kept after the process exits until the pod is deleted (the log subresource
/// reads them). With a <paramref name="directory"/>, every container's output is also appended to
/// DIR/POD_NAMESPACE_CONTAINER.log (as a node's /var/log/containers), behind a header line per pod start, where it
/// outlives the pod and the cluster.
/// </summary>
public sealed class PodLogBook(string? directory, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Namespace, string Pod, string Container), LogBuffer> _logs = new();

    public LogBuffer Open(string ns, string pod, string uid, string container)
    {
        var fresh = new LogBuffer(copy: directory is null ? null : Copy(ns, pod, uid, container));
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

    private StreamWriter Copy(string ns, string pod, string uid, string container)
    {
        Directory.CreateDirectory(directory!);
        var writer = new StreamWriter(Path.Combine(directory!, $"{pod}_{ns}_{container}.log"), append: true) { AutoFlush = true };
        var started = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        writer.WriteLine($"==> pod {ns}/{pod} (uid {uid}), container {container}, started {started} <==");
        return writer;
    }
}
