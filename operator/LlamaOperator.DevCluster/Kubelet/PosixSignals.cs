using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// Signals for a container's processes. Its main process leads a process group of its own (setsid, see
/// <see cref="ProcessSession"/>; the group's id is its pid) that the processes it starts inherit, so they can all be
/// reached, even once the main process has exited. .NET's Process only offers SIGKILL, of one process or the tree it
/// finds under a living process.
/// </summary>
internal static partial class PosixSignals
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>SIGTERM to the process alone: a container runtime sends it to PID 1, which stops its children itself.</summary>
    public static bool Terminate(int pid) => OperatingSystem.IsWindows() ? false : Kill(pid, SigTerm) == 0;

    /// <summary>SIGKILL to the process's whole group; without a group of its own (no setsid here), to its process tree.</summary>
    public static void KillGroup(Process process)
    {
        if (!OperatingSystem.IsWindows() && Kill(-process.Id, SigKill) == 0)
        {
            return;
        }
        try
        {
            process.Kill(entireProcessTree: true); // does nothing once the process has exited
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }
}
