using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace LlamaOperator.Runtime.Events;

public sealed class KubernetesEventSink(IKubernetes client) : IEventSink
{
    public Task CreateAsync(Corev1Event e, CancellationToken cancellationToken) =>
        client.CoreV1.CreateNamespacedEventAsync(e, e.Metadata.NamespaceProperty, cancellationToken: cancellationToken);

    public async Task<bool> UpdateCountAsync(string @namespace, string name, int count, DateTime lastTimestamp, CancellationToken cancellationToken)
    {
        var patch = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["count"] = count,
            ["lastTimestamp"] = lastTimestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        });
        try
        {
            await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, @namespace, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
