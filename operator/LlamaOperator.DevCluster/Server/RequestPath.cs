namespace LlamaOperator.DevCluster.Server;

/// <summary>
/// A parsed resource URL: /api/v1/... or /apis/GROUP/VERSION/..., then
/// [namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]. Resource is null for a group-version discovery request.
/// </summary>
public sealed record RequestPath(string Group, string Version, string? Namespace, string? Resource, string? Name, string? Subresource)
{
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>Parses a path; null when it is not under /api/v1 or /apis/G/V.</summary>
    public static RequestPath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return null;
        }
        var tail = segments[rest..];
        if (tail.Length == 0)
        {
            return new RequestPath(group, version, null, null, null, null);
        }
        if (tail[0] == "namespaces" && tail.Length >= 3 && !(tail.Length == 3 && NamespaceSubresources.Contains(tail[2])))
        {
            return tail.Length > 5 ? null : new RequestPath(group, version, tail[1], tail[2], tail.ElementAtOrDefault(3), tail.ElementAtOrDefault(4));
        }
        return tail.Length > 3 ? null : new RequestPath(group, version, null, tail[0], tail.ElementAtOrDefault(1), tail.ElementAtOrDefault(2));
    }
}
