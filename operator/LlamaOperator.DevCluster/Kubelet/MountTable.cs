namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// The dev kubelet's chroot-less imitation of volume mounts: a container's mount paths map to host folders, and
/// every path-like occurrence of a mount path in argv, env values and workingDir is rewritten to its folder. An
/// occurrence counts when it starts the text or follows whitespace, '=', ':', ',', a quote or a shell operator, and
/// ends the text or is followed by '/', whitespace, ':', ',', a quote or a shell operator (so `sh -c` scripts work); the longest mount path wins, so nested mounts resolve as in a
/// real container. Paths built at run time by the process itself are not rewritten.
/// </summary>
public sealed class MountTable
{
    private readonly (string MountPath, string HostPath)[] _mounts;

    public MountTable(IEnumerable<(string MountPath, string HostPath)> mounts)
    {
        _mounts = [.. mounts
            .Select(m => (MountPath: Normalize(m.MountPath), m.HostPath))
            .Where(m => m.MountPath.Length > 1)
            .OrderByDescending(m => m.MountPath.Length)];
    }

    public static MountTable Empty { get; } = new([]);

    /// <summary>The host folder a container path lives in, when it is under a mount; else null.</summary>
    public string? HostPathOf(string containerPath)
    {
        var path = Normalize(containerPath);
        foreach (var (mountPath, hostPath) in _mounts)
        {
            if (path == mountPath)
            {
                return hostPath;
            }
            if (path.StartsWith(mountPath + "/", StringComparison.Ordinal))
            {
                return Path.Combine(hostPath, path[(mountPath.Length + 1)..]);
            }
        }
        return null;
    }

    public string Rewrite(string text)
    {
        if (_mounts.Length == 0 || !text.Contains('/', StringComparison.Ordinal))
        {
            return text;
        }
        var result = new System.Text.StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var match = StartsAt(text, i) ? _mounts.FirstOrDefault(m => Matches(text, i, m.MountPath)) : default;
            if (match.MountPath is null)
            {
                result.Append(text[i]);
                i++;
                continue;
            }
            result.Append(match.HostPath);
            i += match.MountPath.Length;
        }
        return result.ToString();
    }

    private static bool StartsAt(string text, int i) => i == 0 || char.IsWhiteSpace(text[i - 1]) || text[i - 1] is '=' or ':' or ',' or '"' or '\'' or '(' or ';' or '|' or '&' or '<' or '>';

    private static bool Matches(string text, int i, string mountPath)
    {
        if (string.CompareOrdinal(text, i, mountPath, 0, mountPath.Length) != 0)
        {
            return false;
        }
        var end = i + mountPath.Length;
        return end == text.Length || char.IsWhiteSpace(text[end]) || text[end] is '/' or ':' or ',' or '"' or '\'' or ')' or ';' or '|' or '&' or '<' or '>';
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
