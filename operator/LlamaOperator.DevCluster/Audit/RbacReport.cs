namespace LlamaOperator.DevCluster.Audit;

/// <summary>What a set of rules and a set of requests say about each other.</summary>
/// <param name="Denied">Distinct requests no rule allows (the user would get 403 Forbidden).</param>
/// <param name="Unused">Permissions no request used (candidates for removal under least privilege).</param>
public sealed record RbacReport(IReadOnlyList<AuditRecord> Denied, IReadOnlyList<UnusedPermission> Unused)
{
    public string Describe() =>
        $"denied ({Denied.Count}):\n  {string.Join("\n  ", Denied)}\nunused ({Unused.Count}):\n  {string.Join("\n  ", Unused)}";
}
