using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace LlamaTrainer.Data.Preparation;

/// <summary>
/// Checks an input file before any of it is tokenized, so that a bad file is reported whole and never half-written:
/// missing, empty, binary (NUL bytes), not UTF-8, or (JSON Lines) a line that is not an object with a string text field.
/// </summary>
public static class InputFileInspector
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>What is wrong with the file, or null when it can be tokenized.</summary>
    public static string? FindProblem(InputFile file, string textField)
    {
        if (!File.Exists(file.Path))
        {
            return Directory.Exists(file.Path) ? "is a folder without .txt or .jsonl files" : "does not exist";
        }

        if (new FileInfo(file.Path).Length == 0)
        {
            return "is empty";
        }

        return FindEncodingProblem(file.Path)
            ?? (file.Format == InputFormat.JsonLines ? FindJsonLinesProblem(file.Path, textField) : FindTextProblem(file.Path));
    }

    private static string? FindEncodingProblem(string path)
    {
        using var stream = File.OpenRead(path);
        var bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes + 4);
        var chars = ArrayPool<char>.Shared.Rent(ChunkBytes + 4);
        try
        {
            long consumedBefore = 0;
            var pending = 0;
            while (true)
            {
                var read = stream.Read(bytes, pending, ChunkBytes);
                var available = pending + read;
                var final = read == 0;
                var span = bytes.AsSpan(0, available);
                var nul = span.IndexOf((byte)0);
                if (nul >= 0)
                {
                    return $"contains a NUL byte at offset {consumedBefore + nul} (binary data, not text)";
                }

                var status = Utf8.ToUtf16(span, chars, out var bytesRead, out _, replaceInvalidSequences: false, isFinalBlock: final);
                if (status == System.Buffers.OperationStatus.InvalidData)
                {
                    return $"is not valid UTF-8 (invalid byte sequence at offset {consumedBefore + bytesRead})";
                }

                if (final)
                {
                    return null;
                }

                // A multi-byte character cut by the chunk end is carried into the next read.
                pending = available - bytesRead;
                span[bytesRead..].CopyTo(bytes);
                consumedBefore += bytesRead;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static string? FindTextProblem(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var buffer = new char[1 << 16];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (!buffer.AsSpan(0, read).IsWhiteSpace())
            {
                return null;
            }
        }

        return "holds only whitespace";
    }

    private static string? FindJsonLinesProblem(string path, string textField)
    {
        var lineNumber = 0;
        var documents = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (JsonLinesText(line, textField) is not { } text)
            {
                return $"line {lineNumber} is not a JSON object with a string field \"{textField}\"";
            }

            if (!string.IsNullOrWhiteSpace(text))
            {
                documents++;
            }
        }

        return documents == 0 ? $"holds no non-empty \"{textField}\" values" : null;
    }

    /// <summary>The text field of one JSON Lines line, or null when the line is not an object with that string field.</summary>
    internal static string? JsonLinesText(string line, string textField)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty(textField, out var value)
                && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
