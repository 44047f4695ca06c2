namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Pod processes run in a session of their own (util-linux setsid, which keeps the pid), as a container's processes
/// do: a Ctrl+C in the terminal that runs the dev cluster reaches only the host process, which then stops the pods the
/// Kubernetes way (SIGTERM, grace period, SIGKILL). Since setsid would turn a missing executable into an exit code,
/// the executable is looked up on PATH first, as a container runtime does before it starts anything.
/// </summary>
internal static class ProcessSession
{
    private const string Setsid = "/usr/bin/setsid";

    /// <summary>The host argv that runs <paramref name="argv"/> in a new session, or the reason it cannot start.</summary>
    public static (IReadOnlyList<string>? Argv, string? Error) Command(IReadOnlyList<string> argv, string? path, string workingDirectory)
    {
        var executable = Find(argv[0], path, workingDirectory);
        if (executable is null)
        {
            return (null, $"exec: \"{argv[0]}\": executable file not found in $PATH");
        }
        return OperatingSystem.IsWindows() || !File.Exists(Setsid)
            ? ([executable, .. argv.Skip(1)], null)
            : ([Setsid, executable, .. argv.Skip(1)], null);
    }

    private static string? Find(string name, string? path, string workingDirectory)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(name, workingDirectory);
            return File.Exists(full) ? full : null;
        }
        foreach (var folder in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
