using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// The cluster DNS names of the pods of a namespace, with their addresses, as the cluster DNS publishes them: a pod
/// whose spec.subdomain names a headless Service (clusterIP None) of its namespace that selects it is
/// `HOST.SUBDOMAIN`, `HOST.SUBDOMAIN.NS`, `HOST.SUBDOMAIN.NS.svc` and `HOST.SUBDOMAIN.NS.svc.cluster.local`, HOST
/// being spec.hostname or the pod's name. Ready or not (trainer Services publish not-ready addresses). Names of other
/// namespaces' pods and of Services themselves are not served.
/// </summary>
internal static class ClusterDns
{
    public const string Domain = "cluster.local";

    public static List<(string Name, string Address)> Names(ObjectStore store, string ns, PodAddresses addresses)
    {
        var headless = store.List(BuiltInKinds.Services, ns).Items
            .Select(s => s.ToJson())
            .Where(s => (string?)s["spec"]?["clusterIP"] == "None" && s["spec"]?["selector"] is JsonObject { Count: > 0 })
            .ToDictionary(Meta.Name, s => Meta.StringMap(s["spec"]!["selector"]), StringComparer.Ordinal);
        var names = new List<(string, string)>();
        if (headless.Count == 0)
        {
            return names;
        }
        foreach (var stored in store.List(BuiltInKinds.Pods, ns).Items)
        {
            var pod = stored.ToJson();
            if ((string?)pod["spec"]?["subdomain"] is not { Length: > 0 } subdomain
                || !headless.TryGetValue(subdomain, out var selector)
                || selector.Any(s => stored.Labels.GetValueOrDefault(s.Key) != s.Value))
            {
                continue;
            }
            var host = (string?)pod["spec"]?["hostname"] is { Length: > 0 } hostname ? hostname : stored.Name;
            var address = addresses.For(stored.Uid);
            var name = $"{host}.{subdomain}";
            names.Add((name, address));
            names.Add(($"{name}.{ns}", address));
            names.Add(($"{name}.{ns}.svc", address));
            names.Add(($"{name}.{ns}.svc.{Domain}", address));
        }
        return names;
    }
}
