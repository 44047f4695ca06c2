namespace LlamaTrainer.Data.Tokenization;

/// <summary>The Llama 3 special tokens, numbered after the BPE ranks as Meta's tokenizer.py does.</summary>
public static class Llama3SpecialTokens
{
    public const int Count = 256;
    public const int BeginOfTextOffset = 0;
    public const int EndOfTextOffset = 1;
    public const int StartHeaderOffset = 6;
    public const int EndHeaderOffset = 7;
    public const int EndOfTurnOffset = 9;

    /// <summary>Names in id order: 128000 &lt;|begin_of_text|&gt; ... 128255 &lt;|reserved_special_token_250|&gt; for the real 128,000 ranks.</summary>
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    public static Dictionary<string, int> For(int rankCount)
    {
        var specials = new Dictionary<string, int>(Count, StringComparer.Ordinal);
        for (var i = 0; i < Count; i++)
        {
            specials[Names[i]] = rankCount + i;
        }

        return specials;
    }

    /// <summary>Counts the non-empty lines of a ranks file and checks that ranks are exactly 0..n-1 (special ids follow them).</summary>
    public static int CountRanks(byte[] ranksFile, string sourceName)
    {
        var count = 0;
        var maxRank = -1;
        var lineNumber = 0;
        foreach (var rawLine in System.Text.Encoding.UTF8.GetString(ranksFile).Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rank))
            {
                throw new InvalidDataException($"Llama 3 tokenizer.model '{sourceName}' line {lineNumber}: expected '<base64 token> <rank>'");
            }

            maxRank = Math.Max(maxRank, rank);
            count++;
        }

        if (count == 0)
        {
            throw new InvalidDataException($"Llama 3 tokenizer.model '{sourceName}': no ranks");
        }

        if (maxRank != count - 1)
        {
            throw new InvalidDataException($"Llama 3 tokenizer.model '{sourceName}': {count} ranks but the highest rank is {maxRank}; expected ranks 0..{count - 1}");
        }

        return count;
    }

    private static string[] BuildNames()
    {
        var names = new List<string>
        {
            "<|begin_of_text|>",
            "<|end_of_text|>",
            "<|reserved_special_token_0|>",
            "<|reserved_special_token_1|>",
            "<|reserved_special_token_2|>",
            "<|reserved_special_token_3|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|reserved_special_token_4|>",
            "<|eot_id|>",
        };
        for (var i = 5; names.Count < Count; i++)
        {
            names.Add($"<|reserved_special_token_{i}|>");
        }

        return [.. names];
    }
}
