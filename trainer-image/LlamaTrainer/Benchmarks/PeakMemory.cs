using System.Runtime.InteropServices;

namespace LlamaTrainer.Benchmarks;

/// <summary>
/// The process's peak resident memory over a piece of work, from Linux's VmHWM: freed heap is handed back first
/// (malloc_trim) and the peak reset to the current resident size (clear_refs 5), so the figure is what the work
/// itself added at its highest point.
/// </summary>
public static class PeakMemory
{
    public static long BytesAddedBy(Action work)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("peak memory is read from /proc/self/status (Linux only)");
        _ = MallocTrim(0); // 1 when memory was released, 0 when there was none: either way the peak is reset next
        File.WriteAllText("/proc/self/clear_refs", "5");
        var before = StatusKilobytes("VmRSS");
        work();
        return (StatusKilobytes("VmHWM") - before) * 1024;
    }

    private static long StatusKilobytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
