using k8s;
using k8s.Models;

namespace LlamaOperator.Core.Rendering;

/// <summary>The Kubernetes objects of one stage's gang.</summary>
public sealed record RenderedStage(PodGroup? PodGroup, V1ConfigMap ConfigMap, V1Service Service, IReadOnlyList<V1Pod> Pods)
{
    /// <summary>In apply order: the PodGroup before its pods, the ConfigMap and Service the pods use, pods by node rank.</summary>
    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects()
    {
        if (PodGroup is not null)
        {
            yield return PodGroup;
        }

        yield return ConfigMap;
        yield return Service;
        foreach (var pod in Pods)
        {
            yield return pod;
        }
    }
}

/// <summary>A stage's objects other than its pods, which the operator keeps as rendered (it repairs edits of the fields it sets).</summary>
public sealed record StageObjects(PodGroup? PodGroup, V1ConfigMap ConfigMap, V1Service Service);
