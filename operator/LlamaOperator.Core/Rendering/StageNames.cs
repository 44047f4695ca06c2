using System.Globalization;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Rendering;

/// <summary>
/// Names of a stage's objects. Pods are &lt;job&gt;-&lt;stage&gt;-&lt;nodeRank&gt;; the headless Service is
/// &lt;job&gt;-&lt;stage&gt; and the pods' subdomain, so &lt;pod&gt;.&lt;service&gt;.&lt;namespace&gt;.svc resolves.
/// </summary>
public sealed record StageNames(string Job, string Stage, string Namespace)
{
    /// <summary>A pod's hostname must be a DNS label.</summary>
    public const int MaxHostnameLength = 63;

    public string Service => $"{Job}-{Stage}";

    public string ConfigMap => $"{Job}-{Stage}-job";

    public string PodGroup => $"{Job}-{Stage}";

    public string Pod(long nodeRank) => $"{Job}-{Stage}-{nodeRank.ToString(CultureInfo.InvariantCulture)}";

    public string PodDns(long nodeRank) => $"{Pod(nodeRank)}.{Service}.{Namespace}.svc";

    /// <summary>Throws when the longest pod name of the stage would not be a valid hostname.</summary>
    public void CheckFits(long nodes)
    {
        var longest = Pod(nodes - 1);
        if (longest.Length > MaxHostnameLength)
        {
            throw new PlanException("metadata.name", $"pod name '{longest}' ({longest.Length} characters) exceeds the {MaxHostnameLength}-character hostname limit; shorten the job name or the stage name '{Stage}'");
        }
    }
}
