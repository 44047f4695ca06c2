using k8s.Models;

namespace LlamaOperator.Runtime.Events;

/// <summary>Where recorded events go: the API server in production (<see cref="KubernetesEventSink"/>).</summary>
public interface IEventSink
{
    Task CreateAsync(Corev1Event e, CancellationToken cancellationToken);

    /// <summary>Raises the count of an existing event; returns false when the event no longer exists.</summary>
    Task<bool> UpdateCountAsync(string @namespace, string name, int count, DateTime lastTimestamp, CancellationToken cancellationToken);
}
