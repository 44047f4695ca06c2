namespace LlamaOperator.DevCluster.Audit;

/// <summary>
/// One API request described by the attributes an RBAC authorizer decides on. Resource requests have a
/// <see cref="Resource"/>; discovery and other non-resource requests have only <see cref="Path"/>.
/// </summary>
/// <param name="User">The bearer token the client sent (the dev cluster takes it as the user name; no authentication), or system:anonymous.</param>
/// <param name="Verb">get, list, watch, create, update, patch, delete or deletecollection; for non-resource requests the lower-case HTTP method.</param>
/// <param name="ApiGroup">"" for the core group.</param>
/// <param name="Subresource">"" when the request is on the main resource.</param>
/// <param name="Namespace">"" for cluster-scoped requests and for lists across all namespaces.</param>
/// <param name="Name">"" for collection requests (list, watch, create, deletecollection).</param>
public sealed record AuditRecord(string User, string Verb, string ApiGroup, string Resource, string Subresource, string Namespace, string Name, string Path)
{
    public bool IsResourceRequest => Resource.Length > 0;

    /// <summary>resource or resource/subresource, as RBAC rules spell it.</summary>
    public string QualifiedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    public override string ToString() => IsResourceRequest
        ? $"{User} {Verb} {(ApiGroup.Length == 0 ? "core" : ApiGroup)}/{QualifiedResource}{(Namespace.Length > 0 ? $" in {Namespace}" : "")}{(Name.Length > 0 ? $" name {Name}" : "")}"
        : $"{User} {Verb} {Path}";
}
