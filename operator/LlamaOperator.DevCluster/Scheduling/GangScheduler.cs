namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>
/// The scheduling decision, pure. Pods without a group are placed one by one; the pending pods of a
/// PodGroup are placed together on a trial copy of the cluster and bound only if, with the group's
/// already bound pods, at least minMember of them fit (never a partial gang). A node fits a pod when
/// it is Ready and schedulable, matches the nodeSelector, has no untolerated NoSchedule/NoExecute
/// taint, has the free GPUs/CPU/memory, and satisfies required pod affinity on its topology key.
/// Among fitting nodes the fullest is chosen (bin packing keeps whole nodes and blocks free); the
/// first pod of an affinity term picks the block that best fits all pending pods of that term.
/// </summary>
public static class GangScheduler
{
    public static SchedulingResult Schedule(IReadOnlyList<NodeInfo> nodes, IReadOnlyList<PodInfo> pods, IReadOnlyDictionary<string, int> groupMinMember)
    {
        var state = new ClusterState(nodes, pods.Where(p => p.NodeName.Length > 0 && !p.Terminal));
        var pending = pods.Where(p => p.NodeName.Length == 0 && !p.Terminal).ToList();
        var bindings = new List<(string, string, string)>();
        var unschedulable = new Dictionary<(string, string), string>();
        var groupsDone = new HashSet<string>();
        foreach (var pod in pending)
        {
            if (pod.Group is null)
            {
                var (node, why) = Pick(pod, state, pending);
                if (node is null)
                {
                    unschedulable[(pod.Namespace, pod.Name)] = why;
                    continue;
                }
                state.Place(pod, node);
                bindings.Add((pod.Namespace, pod.Name, node.Name));
                continue;
            }
            if (!groupsDone.Add(pod.Group))
            {
                continue;
            }
            var members = pending.Where(p => p.Group == pod.Group).ToList();
            if (!groupMinMember.TryGetValue(pod.Group, out var minMember))
            {
                foreach (var member in members)
                {
                    unschedulable[(member.Namespace, member.Name)] = $"pod group \"{pod.Group}\" not found";
                }
                continue;
            }
            var bound = pods.Count(p => p.Group == pod.Group && p.NodeName.Length > 0 && !p.Terminal);
            if (bound + members.Count < minMember)
            {
                var waiting = $"pod group \"{pod.Group}\" has fewer than minMember {minMember} pods; waiting for the rest of the gang";
                foreach (var member in members)
                {
                    unschedulable[(member.Namespace, member.Name)] = waiting;
                }
                continue;
            }
            var trial = state.Copy();
            var placed = new List<(PodInfo Pod, NodeInfo Node)>();
            string? lastWhy = null;
            foreach (var member in members)
            {
                var (node, why) = Pick(member, trial, members);
                if (node is null)
                {
                    lastWhy = why;
                    continue;
                }
                trial.Place(member, node);
                placed.Add((member, node));
            }
            if (bound + placed.Count >= minMember && placed.Count > 0)
            {
                state = trial;
                bindings.AddRange(placed.Select(p => (p.Pod.Namespace, p.Pod.Name, p.Node.Name)));
                foreach (var member in members.Except(placed.Select(p => p.Pod)))
                {
                    unschedulable[(member.Namespace, member.Name)] = lastWhy ?? "no node fits";
                }
                continue;
            }
            // A stable message (no live counts), so a gang that is still growing is not rewritten on every new member.
            var message = lastWhy is null
                ? $"pod group \"{pod.Group}\" has fewer than minMember {minMember} pods; waiting for the rest of the gang"
                : $"pod group \"{pod.Group}\" cannot place minMember {minMember} pods together: {lastWhy}";
            foreach (var member in members)
            {
                unschedulable[(member.Namespace, member.Name)] = message;
            }
        }
        return new SchedulingResult(bindings, unschedulable);
    }

    private static (NodeInfo? Node, string Why) Pick(PodInfo pod, ClusterState state, IReadOnlyList<PodInfo> pending)
    {
        var reasons = new Dictionary<string, int>();
        var fitting = new List<NodeInfo>();
        // Per affinity term, the topology values of placed pods it matches (null: none placed yet); computed once per pod.
        var constraints = pod.Affinity.Select(term => (Term: term, Domains: state.DomainsOf(term))).ToList();
        foreach (var node in state.Nodes)
        {
            var reason = Reject(pod, node, state, constraints);
            if (reason is null)
            {
                fitting.Add(node);
            }
            else
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
        }
        if (fitting.Count == 0)
        {
            var detail = string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}"));
            return (null, $"0/{state.Nodes.Count} nodes are available: {detail}.");
        }
        var candidates = fitting;
        foreach (var term in constraints.Where(c => c.Domains is null).Select(c => c.Term))
        {
            // First pod of its affinity term: choose the topology domain that best fits every pending pod of the term.
            var demand = pending.Where(p => p.NodeName.Length == 0 && term.Selector.Matches(p.Labels)).Aggregate(new ComputeResources(), (sum, p) => sum + p.Requests);
            // A domain's room is its free resources less what the terms already started there still need.
            var domains = candidates.GroupBy(n => n.Labels.GetValueOrDefault(term.TopologyKey) ?? "")
                .Select(g => (Value: g.Key, Nodes: g.ToList(), Free: state.Nodes.Where(n => (n.Labels.GetValueOrDefault(term.TopologyKey) ?? "") == g.Key)
                    .Aggregate(new ComputeResources(), (s, n) => s + state.Free(n)) - state.Reserved(term.TopologyKey, g.Key)))
                .ToList();
            var best = domains.Where(d => d.Free.Fits(demand)).OrderBy(d => d.Free.Gpus).ThenBy(d => d.Free.Cpu).FirstOrDefault();
            var picked = best.Nodes is null ? domains.OrderByDescending(d => d.Free.Gpus).First() : best;
            candidates = picked.Nodes;
            state.Anchor(term, picked.Value, demand);
        }
        var chosen = candidates
            .OrderBy(n => state.Free(n).Gpus - pod.Requests.Gpus)
            .ThenBy(n => state.Free(n).Cpu - pod.Requests.Cpu)
            .ThenBy(n => n.Name, StringComparer.Ordinal)
            .First();
        return (chosen, "");
    }

    private static string? Reject(PodInfo pod, NodeInfo node, ClusterState state, List<(AffinityTerm Term, HashSet<string>? Domains)> constraints)
    {
        if (!node.Schedulable)
        {
            return "node(s) were not ready or unschedulable";
        }
        foreach (var (key, value) in pod.NodeSelector)
        {
            if (node.Labels.GetValueOrDefault(key) != value)
            {
                return "node(s) didn't match Pod's node affinity/selector";
            }
        }
        foreach (var taint in node.Taints)
        {
            if (taint.Effect is "NoSchedule" or "NoExecute" && !pod.Tolerations.Any(t => t.Tolerates(taint)))
            {
                return $"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}";
            }
        }
        var free = state.Free(node);
        if (pod.Requests.Gpus > free.Gpus)
        {
            return "Insufficient nvidia.com/gpu";
        }
        if (pod.Requests.Cpu > free.Cpu)
        {
            return "Insufficient cpu";
        }
        if (pod.Requests.Memory > free.Memory)
        {
            return "Insufficient memory";
        }
        foreach (var (term, domains) in constraints)
        {
            if (!node.Labels.TryGetValue(term.TopologyKey, out var value))
            {
                return "node(s) didn't match pod affinity rules";
            }
            // With no matching pod placed yet, only a pod matching its own term may start the domain (as kube-scheduler).
            if (domains is null ? !term.Selector.Matches(pod.Labels) : !domains.Contains(value))
            {
                return "node(s) didn't match pod affinity rules";
            }
        }
        return null;
    }

    /// <summary>Free resources per node and the placed pods, for one pass (copied for a gang's trial).</summary>
    private sealed class ClusterState
    {
        private readonly Dictionary<string, ComputeResources> _free;
        private readonly List<(PodInfo Pod, NodeInfo Node)> _placed;

        // Affinity terms started in a domain and what their pods not yet placed still need there.
        private readonly Dictionary<string, (string TopologyKey, string Domain, ComputeResources Remaining)> _anchors;

        public ClusterState(IReadOnlyList<NodeInfo> nodes, IEnumerable<PodInfo> bound)
        {
            Nodes = nodes;
            _free = nodes.ToDictionary(n => n.Name, n => n.Allocatable);
            _placed = [];
            _anchors = [];
            var byName = nodes.ToDictionary(n => n.Name);
            foreach (var pod in bound)
            {
                if (byName.TryGetValue(pod.NodeName, out var node))
                {
                    Place(pod, node);
                }
            }
        }

        private ClusterState(ClusterState other)
        {
            Nodes = other.Nodes;
            _free = new Dictionary<string, ComputeResources>(other._free);
            _placed = [.. other._placed];
            _anchors = new(other._anchors);
        }

        private static string TermKey(AffinityTerm term) =>
            term.TopologyKey + "|" + string.Join(",", term.Selector.Requirements.Select(r => $"{r.Key}{r.Operator}{string.Join("/", r.Values)}"))
            + "|" + string.Join(",", term.Namespaces);

        public void Anchor(AffinityTerm term, string domain, ComputeResources demand) =>
            _anchors[TermKey(term)] = (term.TopologyKey, domain, demand);

        public ComputeResources Reserved(string topologyKey, string domain) =>
            _anchors.Values.Where(a => a.TopologyKey == topologyKey && a.Domain == domain).Aggregate(new ComputeResources(), (s, a) => s + a.Remaining);

        public IReadOnlyList<NodeInfo> Nodes { get; }

        public ClusterState Copy() => new(this);

        public ComputeResources Free(NodeInfo node) => _free[node.Name];

        public void Place(PodInfo pod, NodeInfo node)
        {
            _free[node.Name] -= pod.Requests;
            _placed.Add((pod, node));
            foreach (var term in pod.Affinity)
            {
                if (_anchors.TryGetValue(TermKey(term), out var anchor))
                {
                    _anchors[TermKey(term)] = anchor with { Remaining = anchor.Remaining - pod.Requests };
                }
            }
        }

        public HashSet<string>? DomainsOf(AffinityTerm term)
        {
            HashSet<string>? domains = null;
            foreach (var (pod, node) in _placed)
            {
                if (term.Namespaces.Contains(pod.Namespace) && term.Selector.Matches(pod.Labels))
                {
                    domains ??= [];
                    if (node.Labels.TryGetValue(term.TopologyKey, out var value))
                    {
                        domains.Add(value);
                    }
                }
            }
            return domains;
        }
    }
}
