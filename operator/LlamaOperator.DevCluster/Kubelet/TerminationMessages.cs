using System.Text;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// An exited container's termination message, by the kubelet's rules: the last 4096 bytes of the file at its
/// terminationMessagePath; with terminationMessagePolicy FallbackToLogsOnError, a non-zero exit code and an empty or
/// missing file, the end of its log instead (the last 80 lines, at most their last 2048 bytes).
/// </summary>
internal static class TerminationMessages
{
    public const int MaxFileBytes = 4096;
    public const int MaxLogLines = 80;
    public const int MaxLogBytes = 2048;

    /// <summary>The message, or null when there is none.</summary>
    public static string? Read(LaunchSpec spec, int exitCode, LogBuffer log)
    {
        var written = spec.TerminationMessageFile is { } file && File.Exists(file) ? Tail(file) : "";
        if (written.Length == 0 && spec.FallbackToLogsOnError && exitCode != 0)
        {
            var lines = Encoding.UTF8.GetBytes(log.Text(MaxLogLines));
            written = Encoding.UTF8.GetString(lines.AsSpan(Math.Max(0, lines.Length - MaxLogBytes)));
        }

        return written.Length == 0 ? null : written;
    }

    private static string Tail(string file)
    {
        using var stream = File.OpenRead(file);
        var length = (int)Math.Min(stream.Length, MaxFileBytes);
        stream.Seek(-length, SeekOrigin.End);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }
}
