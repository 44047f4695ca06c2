using System.Threading.Channels;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Server;
using LlamaOperator.DevCluster.Store;
using Serilog;

namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>
/// Runs a scheduling pass whenever pods, nodes or PodGroups change (changes arriving together make
/// one pass), binds through the pods/binding path and marks pods that must wait PodScheduled=False
/// (reason Unschedulable) with the scheduler's message.
/// </summary>
internal sealed class SchedulerController(ObjectStore store, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan PassInterval = TimeSpan.FromMilliseconds(20);
    private readonly Dictionary<string, (long Revision, PodInfo Info)> _podCache = [];
    private static readonly IReadOnlyList<ResourceKind> PodGroupKinds = PodGroupCrds.All().SelectMany(CrdKinds.FromCrd).ToList();

    public Task Run(ChannelReader<StoreChange> changes, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        try
        {
            while (await changes.WaitToReadAsync(cancellationToken))
            {
                var relevant = false;
                while (changes.TryRead(out var change))
                {
                    var id = change.Object.Ref.Kind.StorageId;
                    relevant |= id == BuiltInKinds.Pods.StorageId || id == BuiltInKinds.Nodes.StorageId || PodGroupKinds.Any(k => k.StorageId == id);
                }
                if (relevant)
                {
                    // Let a burst of creates land before the pass, so passes stay few while pods pour in.
                    await Task.Delay(PassInterval, time, cancellationToken);
                    while (changes.TryRead(out _))
                    {
                    }
                    try
                    {
                        Pass();
                    }
                    catch (Exception e)
                    {
                        logger.Error(e, "Scheduling pass failed");
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }, CancellationToken.None);

    private void Pass()
    {
        var pods = store.List(BuiltInKinds.Pods, null).Items.Where(p => !p.Deleting).ToList();
        // Pods are parsed again only when their revision changed since the last pass.
        var infos = new List<PodInfo>(pods.Count);
        var live = new HashSet<string>();
        foreach (var pod in pods)
        {
            live.Add(pod.Uid);
            if (!_podCache.TryGetValue(pod.Uid, out var cached) || cached.Revision != pod.Revision)
            {
                cached = (pod.Revision, PodInfo.FromJson(pod.ToJson()));
                _podCache[pod.Uid] = cached;
            }
            infos.Add(cached.Info);
        }
        foreach (var gone in _podCache.Keys.Where(uid => !live.Contains(uid)).ToList())
        {
            _podCache.Remove(gone);
        }
        var groups = new Dictionary<string, int>();
        foreach (var kind in PodGroupKinds)
        {
            foreach (var group in store.List(kind, null).Items)
            {
                var minMember = group.ToJson()["spec"]?["minMember"]?.GetValue<int>() ?? 1;
                groups[$"{group.Namespace}/{group.Name}"] = minMember;
                UpdateGroupStatus(kind, group, minMember, pods, infos);
            }
        }
        if (!pods.Any(p => string.IsNullOrEmpty(p.Fields["spec.nodeName"]) && p.Fields["status.phase"] == "Pending"))
        {
            return;
        }
        var nodes = store.List(BuiltInKinds.Nodes, null).Items.Select(n => NodeInfo.FromJson(n.ToJson())).ToList();
        var byName = pods.ToDictionary(p => (p.Namespace, p.Name));
        var result = GangScheduler.Schedule(nodes, infos, groups);
        var now = time.GetUtcNow();
        foreach (var (ns, name, node) in result.Bindings)
        {
            try
            {
                PodBinding.Bind(store, ns, name, node, now);
                logger.Debug("Bound {Namespace}/{Pod} to {Node}", ns, name, node);
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                // Deleted or bound meanwhile.
            }
        }
        foreach (var ((ns, name), message) in result.Unschedulable)
        {
            var pod = byName[(ns, name)].ToJson();
            var condition = (pod["status"]?["conditions"] as System.Text.Json.Nodes.JsonArray)?.FirstOrDefault(c => (string?)c?["type"] == "PodScheduled");
            if ((string?)condition?["message"] == message)
            {
                continue;
            }
            PodConditions.Set(pod, "PodScheduled", "False", "Unschedulable", message, now);
            try
            {
                store.UpdateStatus(BuiltInKinds.Pods, ns, name, new System.Text.Json.Nodes.JsonObject { ["status"] = pod["status"]?.DeepClone() });
            }
            catch (ApiException e) when (e.Code is 404 or 409)
            {
                // Gone meanwhile.
            }
        }
    }

    /// <summary>
    /// PodGroup status as the gang schedulers report it: phase Pending until minMember pods are
    /// bound (Scheduled; Volcano says Inqueue), Running once minMember run, with member counts.
    /// </summary>
    private void UpdateGroupStatus(ResourceKind kind, StoredObject group, int minMember, List<StoredObject> pods, List<PodInfo> infos)
    {
        var key = $"{group.Namespace}/{group.Name}";
        int scheduled = 0, running = 0, succeeded = 0, failed = 0;
        for (var i = 0; i < pods.Count; i++)
        {
            if (infos[i].Group != key)
            {
                continue;
            }
            var phase = pods[i].Fields["status.phase"];
            scheduled += string.IsNullOrEmpty(pods[i].Fields["spec.nodeName"]) ? 0 : 1;
            running += phase == "Running" ? 1 : 0;
            succeeded += phase == "Succeeded" ? 1 : 0;
            failed += phase == "Failed" ? 1 : 0;
        }
        var volcano = kind.Group == PodGroupCrds.VolcanoGroup;
        var groupPhase = running >= minMember && minMember > 0 ? "Running"
            : scheduled >= minMember && minMember > 0 ? (volcano ? "Inqueue" : "Scheduled")
            : "Pending";
        var status = new System.Text.Json.Nodes.JsonObject { ["phase"] = groupPhase, ["running"] = running, ["succeeded"] = succeeded, ["failed"] = failed };
        if (!volcano)
        {
            status["scheduled"] = scheduled;
        }
        var current = group.ToJson()["status"];
        if (System.Text.Json.Nodes.JsonNode.DeepEquals(current, status))
        {
            return;
        }
        try
        {
            store.UpdateStatus(kind, group.Namespace, group.Name, new System.Text.Json.Nodes.JsonObject { ["status"] = status });
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Gone meanwhile.
        }
    }
}
