using System.Text;

namespace LlamaTrainer.Data.Tests.TestDoubles;

/// <summary>Writes small tiktoken ranks files: the 256 single bytes, then the given merges, then optional filler ranks.</summary>
public static class TinyRanksFile
{
    public static byte[] Create(IEnumerable<string> merges, int totalRanks = 0)
    {
        var lines = new StringBuilder();
        var rank = 0;
        for (; rank < 256; rank++)
        {
            lines.Append(Convert.ToBase64String([(byte)rank])).Append(' ').Append(rank).Append('\n');
        }

        foreach (var merge in merges)
        {
            lines.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(merge))).Append(' ').Append(rank++).Append('\n');
        }

        // Filler tokens made of bytes the tests never write (0xF8..0xFF are invalid in UTF-8), so they never merge.
        for (; rank < totalRanks; rank++)
        {
            var filler = new[] { (byte)0xF8, (byte)(rank & 0xFF), (byte)((rank >> 8) & 0xFF), (byte)(rank >> 16) };
            lines.Append(Convert.ToBase64String(filler)).Append(' ').Append(rank).Append('\n');
        }

        return Encoding.UTF8.GetBytes(lines.ToString());
    }
}
