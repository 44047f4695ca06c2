using System.Runtime.InteropServices;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>SIGTERM for a graceful stop; .NET's Process only offers SIGKILL.</summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public static bool Terminate(int pid) => OperatingSystem.IsWindows() ? false : Kill(pid, SigTerm) == 0;
}
