using LlamaOperator.DevCluster.Server;

namespace LlamaOperator.DevCluster.Audit;

/// <summary>Derives the RBAC request attributes (verb, group, resource, subresource, namespace, name) from an HTTP request, as the API server's request-info resolver does.</summary>
public static class RequestAttributes
{
    public const string Anonymous = "system:anonymous";

    /// <param name="authorization">The Authorization header; a "Bearer TOKEN" names the user TOKEN.</param>
    /// <param name="watchQuery">The value of the ?watch= query parameter, if any.</param>
    public static AuditRecord Resolve(string method, string path, string? watchQuery, string? authorization)
    {
        var user = authorization is { } a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && a.Length > 7 ? a[7..].Trim() : Anonymous;
        var request = RequestPath.Parse(path);
        if (request?.Resource is null)
        {
            return new AuditRecord(user, method.ToLowerInvariant(), "", "", "", "", "", path);
        }
        var isCollection = request.Name is null;
        var verb = method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" when isCollection => watchQuery is "true" or "1" ? "watch" : "list",
            "GET" or "HEAD" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when isCollection => "deletecollection",
            "DELETE" => "delete",
            var other => other.ToLowerInvariant(),
        };
        // A namespace object's own namespace is its name (what a Role in that namespace can grant).
        var ns = request.Namespace ?? (request is { Group: "", Resource: "namespaces", Name: { } nsName } ? nsName : "");
        return new AuditRecord(user, verb, request.Group, request.Resource, request.Subresource ?? "", ns, request.Name ?? "", path);
    }
}
