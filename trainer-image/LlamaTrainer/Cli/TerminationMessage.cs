using System.Text;
using System.Text.RegularExpressions;
using LlamaOperator.Api;

namespace LlamaTrainer.Cli;

/// <summary>
/// The cause of a failed run as Kubernetes' termination message: one line, blob credentials masked, at most the
/// kubelet's 4096 bytes, written to the file <see cref="TrainerTerminationMessage.PathVariable"/> names (default
/// /dev/termination-log) only when that file exists: the kubelet creates it before the container starts, so outside a
/// pod nothing is written. A file that cannot be written is skipped: the message is also in the log.
/// </summary>
internal static partial class TerminationMessage
{
    private const string Ellipsis = "...";
    private static readonly string[] CredentialVariables = ["AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_SAS_TOKEN"];

    public static void Write(string cause) =>
        Write(Environment.GetEnvironmentVariable(TrainerTerminationMessage.PathVariable) ?? TrainerTerminationMessage.DefaultPath, cause);

    public static void Write(string path, string cause)
    {
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            File.WriteAllText(path, Format(cause));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Read-only or gone: the cause is in the log as well.
        }
    }

    /// <summary>The cause as the termination message carries it.</summary>
    public static string Format(string cause)
    {
        var text = string.Join(' ', cause.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var name in CredentialVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } secret)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        text = Credential().Replace(text, "$1=***");
        return Encoding.UTF8.GetByteCount(text) <= TrainerTerminationMessage.MaxBytes ? text : Cut(text, TrainerTerminationMessage.MaxBytes - Ellipsis.Length) + Ellipsis;
    }

    /// <summary>The longest start of <paramref name="text"/> that fits <paramref name="bytes"/> UTF-8 bytes, never splitting a character.</summary>
    private static string Cut(string text, int bytes)
    {
        var used = 0;
        var end = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > bytes)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return text[..end];
    }

    /// <summary>A storage key or SAS signature in a connection string or URL.</summary>
    [GeneratedRegex("(AccountKey|SharedAccessSignature|sig)=[^;&\\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex Credential();
}
