namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// The dev kubelet's stand-in for what a container runtime and the cluster DNS give a real container, as one rewriting
/// of argv, env values and workingDir: a container's mount paths become host folders (no chroot) and the cluster DNS
/// names of pods (<see cref="ClusterDns"/>) become their IPs (the host cannot resolve them).
/// A mount path counts where it starts the text or follows whitespace, '=', ':', ',', a quote or a shell operator, and
/// ends the text or is followed by '/', whitespace, ':', ',', a quote or a shell operator (so `sh -c` scripts work).
/// A DNS name counts where no letter, digit, '-', '_' or '.' is next to it (so `tcp://NAME:29500` and `--addr=NAME`
/// do, `xNAME` and `NAME.other` do not). The longest match wins, so nested mounts resolve as in a real container and a
/// fully qualified name over its shorter forms. Paths and names built at run time by the process itself are not rewritten.
/// </summary>
public sealed class LocalRewrites
{
    private readonly Rule[] _rules;
    private readonly (string MountPath, string HostPath)[] _mounts;

    public LocalRewrites(IEnumerable<(string MountPath, string HostPath)> mounts, IEnumerable<(string Name, string Address)>? hosts = null)
    {
        _mounts = [.. mounts
            .Select(m => (MountPath: Normalize(m.MountPath), m.HostPath))
            .Where(m => m.MountPath.Length > 1)
            .OrderByDescending(m => m.MountPath.Length)];
        _rules = [.. _mounts.Select(m => new Rule(m.MountPath, m.HostPath, IsPath: true))
            .Concat((hosts ?? []).Where(h => h.Name.Length > 0).Select(h => new Rule(h.Name, h.Address, IsPath: false)))
            .OrderByDescending(r => r.From.Length)];
    }

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
        if (_rules.Length == 0 || !(text.Contains('/', StringComparison.Ordinal) || text.Contains('.', StringComparison.Ordinal)))
        {
            return text;
        }
        var result = new System.Text.StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var match = _rules.FirstOrDefault(r => r.Matches(text, i));
            if (match is null)
            {
                result.Append(text[i]);
                i++;
                continue;
            }
            result.Append(match.To);
            i += match.From.Length;
        }
        return result.ToString();
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private sealed record Rule(string From, string To, bool IsPath)
    {
        public bool Matches(string text, int i)
        {
            if (string.CompareOrdinal(text, i, From, 0, From.Length) != 0)
            {
                return false;
            }
            var end = i + From.Length;
            return IsPath
                ? PathStartsAt(text, i) && (end == text.Length || PathEndsBefore(text[end]))
                : (i == 0 || !IsNameChar(text[i - 1])) && (end == text.Length || !IsNameChar(text[end]));
        }

        private static bool PathStartsAt(string text, int i) => i == 0 || char.IsWhiteSpace(text[i - 1]) || text[i - 1] is '=' or ':' or ',' or '"' or '\'' or '(' or ';' or '|' or '&' or '<' or '>';

        private static bool PathEndsBefore(char c) => char.IsWhiteSpace(c) || c is '/' or ':' or ',' or '"' or '\'' or ')' or ';' or '|' or '&' or '<' or '>';

        private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
    }
}
