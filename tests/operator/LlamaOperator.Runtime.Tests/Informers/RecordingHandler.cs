using System.Collections.Concurrent;
using k8s.Models;
using LlamaOperator.Runtime.Informers;

namespace LlamaOperator.Runtime.Tests.Informers;

internal sealed class RecordingHandler : IResourceEventHandler<V1ConfigMap>
{
    public ConcurrentQueue<string> Events { get; } = new();

    public void OnAdd(V1ConfigMap obj) => Events.Enqueue($"add {obj.Metadata.Name}@{obj.Metadata.ResourceVersion}");

    public void OnUpdate(V1ConfigMap oldObj, V1ConfigMap newObj) =>
        Events.Enqueue($"update {newObj.Metadata.Name}@{oldObj.Metadata.ResourceVersion}->{newObj.Metadata.ResourceVersion}");

    public void OnDelete(V1ConfigMap obj) => Events.Enqueue($"delete {obj.Metadata.Name}");

    /// <summary>Waits until <paramref name="count"/> events arrived (the informer delivers them on its own task).</summary>
    public async Task<string[]> WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Events.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} events, got: {string.Join(", ", Events)}");
            }

            await Task.Delay(5);
        }

        return [.. Events];
    }
}
