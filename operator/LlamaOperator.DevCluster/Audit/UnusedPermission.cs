namespace LlamaOperator.DevCluster.Audit;

/// <summary>One (group, resource, verb) a rule grants that no audited request used.</summary>
public sealed record UnusedPermission(string Source, string? Namespace, string ApiGroup, string Resource, string Verb)
{
    public override string ToString() =>
        $"{Source}{(Namespace is null ? "" : $" in {Namespace}")}: {Verb} {(ApiGroup.Length == 0 ? "core" : ApiGroup)}/{Resource}";
}
