using LlamaTrainer.Data.Shards;

namespace LlamaTrainer.Data.Preparation;

/// <summary>Puts a source folder prepared under a temporary name into place, so that readers never see it half-written.</summary>
public static class PreparedFolder
{
    /// <summary>
    /// Renames <paramref name="prepared"/> to <paramref name="target"/>. When the target exists already: with an
    /// index.json it is complete (another process won the race; the same output) and is left alone; without one (made
    /// beforehand, or left by an interrupted copy) the shards are moved in and index.json last. What is left of
    /// <paramref name="prepared"/> is the caller's to delete.
    /// </summary>
    /// <returns>whether <paramref name="target"/> now holds this preparation's files (false: it was complete already)</returns>
    public static bool Publish(string prepared, string target)
    {
        try
        {
            Directory.Move(prepared, target);
            return true;
        }
        catch (IOException) when (Directory.Exists(target))
        {
            // Handled below.
        }

        var index = Path.Combine(target, ShardIndex.FileName);
        if (File.Exists(index))
        {
            return false;
        }

        foreach (var file in Directory.EnumerateFiles(prepared).Where(f => Path.GetFileName(f) != ShardIndex.FileName))
        {
            File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }

        File.Move(Path.Combine(prepared, ShardIndex.FileName), index, overwrite: true);
        return true;
    }
}
