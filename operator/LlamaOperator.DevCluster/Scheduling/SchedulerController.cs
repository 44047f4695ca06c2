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
        if (!pods.Any(p => string.IsNullOrEmpty(p.Fields["spec.nodeName"]) && p.Fields["status.phase"] == "Pending"))
        {
            return;
        }
        var nodes = store.List(BuiltInKinds.Nodes, null).Items.Select(n => NodeInfo.FromJson(n.ToJson())).ToList();
        var groups = new Dictionary<string, int>();
        foreach (var kind in PodGroupKinds)
        {
            foreach (var group in store.List(kind, null).Items)
            {
                groups[$"{group.Namespace}/{group.Name}"] = group.ToJson()["spec"]?["minMember"]?.GetValue<int>() ?? 1;
            }
        }
        var podJson = pods.ToDictionary(p => (p.Namespace, p.Name), p => p.ToJson());
        var result = GangScheduler.Schedule(nodes, podJson.Values.Select(PodInfo.FromJson).ToList(), groups);
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
            var pod = podJson[(ns, name)];
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
}
