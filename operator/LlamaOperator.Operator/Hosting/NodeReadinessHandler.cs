using k8s.Models;
using LlamaOperator.Core.Rendering;
using LlamaOperator.Operator.Observation;
using LlamaOperator.Runtime.Caching;
using LlamaOperator.Runtime.Informers;
using LlamaOperator.Runtime.Queue;

namespace LlamaOperator.Operator.Hosting;

/// <summary>A node that becomes NotReady or goes away concerns the jobs with pods on it; routine node status updates do not.</summary>
internal sealed class NodeReadinessHandler(WorkQueue<ObjectKey> queue, Cache<V1Pod> pods) : IResourceEventHandler<V1Node>
{
    public void OnAdd(V1Node obj) => Enqueue(obj);

    public void OnUpdate(V1Node oldObj, V1Node newObj)
    {
        if (NodeHealth.Ready(oldObj) != NodeHealth.Ready(newObj))
        {
            Enqueue(newObj);
        }
    }

    public void OnDelete(V1Node obj) => Enqueue(obj);

    private void Enqueue(V1Node node)
    {
        foreach (var pod in pods.ByIndex(ClusterCaches.NodeIndex, node.Metadata.Name))
        {
            if (Labels.Value(pod, TrainerLabels.Job) is { } job)
            {
                queue.Add(new ObjectKey(pod.Metadata.NamespaceProperty, job));
            }
        }
    }
}
