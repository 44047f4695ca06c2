using System.Globalization;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// Names of a stage's objects. Pods are &lt;job&gt;-&lt;stage&gt;-&lt;nodeRank&gt;; the headless Service is
/// &lt;job&gt;-&lt;stage&gt; and the pods' subdomain, so &lt;pod&gt;.&lt;service&gt;.&lt;namespace&gt;.svc resolves.
/// </summary>
public sealed record StageNames(string Job, string Stage, string Namespace)
{
    public string Service => $"{Job}-{Stage}";

    public string ConfigMap => $"{Job}-{Stage}-job";

    public string PodGroup => $"{Job}-{Stage}";

    public string Pod(long nodeRank) => $"{Job}-{Stage}-{nodeRank.ToString(CultureInfo.InvariantCulture)}";

    public string PodDns(long nodeRank) => $"{Pod(nodeRank)}.{Service}.{Namespace}.svc";
}
