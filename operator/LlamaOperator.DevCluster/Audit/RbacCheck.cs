namespace LlamaOperator.DevCluster.Audit;

/// <summary>
/// Evaluates audited requests against RBAC rules the way the Kubernetes RBAC authorizer does (verbs, API groups,
/// resources with "*" and "resource/subresource", resourceNames, nonResourceURLs, Role vs ClusterRole scope), and
/// reports the requests denied and the permissions never used.
/// </summary>
public static class RbacCheck
{
    // Granted to every authenticated user by the default system:discovery and system:public-info-viewer roles.
    private static readonly string[] DefaultNonResourcePaths = ["/api", "/apis", "/version", "/openapi", "/healthz", "/livez", "/readyz"];

    public static RbacReport Check(IReadOnlyList<GrantedRule> rules, IEnumerable<AuditRecord> requests)
    {
        var distinct = requests.Select(r => r with { Path = r.IsResourceRequest ? "" : r.Path }).Distinct().ToList();
        var denied = distinct.Where(r => !IsDiscovery(r) && !rules.Any(g => Allows(g, r))).ToList();
        var unused = new List<UnusedPermission>();
        foreach (var granted in rules)
        {
            var rule = granted.Rule;
            foreach (var group in rule.ApiGroups ?? [])
            {
                foreach (var resource in rule.Resources ?? [])
                {
                    foreach (var verb in rule.Verbs ?? [])
                    {
                        var used = distinct.Any(r => r.IsResourceRequest && InScope(granted, r) && Matches(group, r.ApiGroup)
                            && ResourceMatches(resource, r) && Matches(verb, r.Verb) && NameMatches(rule.ResourceNames, r.Name));
                        if (!used)
                        {
                            unused.Add(new UnusedPermission(granted.Source, granted.Namespace, group, resource, verb));
                        }
                    }
                }
            }
        }
        return new RbacReport(denied, unused);
    }

    public static bool Allows(GrantedRule granted, AuditRecord request)
    {
        var rule = granted.Rule;
        if (!request.IsResourceRequest)
        {
            return IsDiscovery(request)
                || (granted.Namespace is null && (rule.NonResourceURLs ?? []).Any(u => PathMatches(u, request.Path)) && (rule.Verbs ?? []).Any(v => Matches(v, request.Verb)));
        }
        return InScope(granted, request)
            && (rule.Verbs ?? []).Any(v => Matches(v, request.Verb))
            && (rule.ApiGroups ?? []).Any(g => Matches(g, request.ApiGroup))
            && (rule.Resources ?? []).Any(r => ResourceMatches(r, request))
            && NameMatches(rule.ResourceNames, request.Name);
    }

    private static bool IsDiscovery(AuditRecord request) =>
        !request.IsResourceRequest && DefaultNonResourcePaths.Any(p => request.Path == p || request.Path.StartsWith(p + "/", StringComparison.Ordinal));

    // A Role's rules apply only to requests inside its namespace; cluster-scoped and all-namespace requests need a ClusterRole.
    private static bool InScope(GrantedRule granted, AuditRecord request) =>
        granted.Namespace is null || granted.Namespace == request.Namespace;

    private static bool Matches(string granted, string requested) => granted == "*" || granted == requested;

    private static bool ResourceMatches(string granted, AuditRecord request)
    {
        if (granted == "*" || granted == request.QualifiedResource)
        {
            return true;
        }
        var slash = granted.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && request.Subresource.Length > 0
            && (granted[..slash] == "*" && granted[(slash + 1)..] == request.Subresource
                || granted[..slash] == request.Resource && granted[(slash + 1)..] == "*");
    }

    private static bool NameMatches(IList<string>? names, string name) =>
        names is null || names.Count == 0 || names.Contains(name);

    private static bool PathMatches(string granted, string path) =>
        granted == "*" || granted == path || (granted.EndsWith('*') && path.StartsWith(granted[..^1], StringComparison.Ordinal));
}
