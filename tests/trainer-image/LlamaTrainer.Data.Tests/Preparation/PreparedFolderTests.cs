using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Tests.TestDoubles;

namespace LlamaTrainer.Data.Tests.Preparation;

public sealed class PreparedFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Prepared => Path.Combine(_folder.Path, ".general.preparing-1");

    private string Target => Path.Combine(_folder.Path, "general");

    [Fact]
    public void A_missing_target_is_the_prepared_folder_renamed()
    {
        WritePrepared("new");

        Assert.True(PreparedFolder.Publish(Prepared, Target));

        Assert.False(Directory.Exists(Prepared));
        Assert.Equal(["index.json", "train-00000.ltshard"], Files(Target));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "index.json")));
    }

    [Fact]
    public void A_complete_target_from_a_process_that_won_the_race_is_left_alone()
    {
        WritePrepared("mine");
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "train-00000.ltshard"), "theirs");
        File.WriteAllText(Path.Combine(Target, "index.json"), "theirs");

        Assert.False(PreparedFolder.Publish(Prepared, Target));

        Assert.Equal("theirs", File.ReadAllText(Path.Combine(Target, "index.json")));
        Assert.Equal("theirs", File.ReadAllText(Path.Combine(Target, "train-00000.ltshard")));
    }

    [Fact]
    public void A_target_without_an_index_gets_the_shards_and_then_the_index()
    {
        WritePrepared("new");
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "train-00000.ltshard"), "stale, from an interrupted copy");

        Assert.True(PreparedFolder.Publish(Prepared, Target));

        Assert.Equal(["index.json", "train-00000.ltshard"], Files(Target));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "train-00000.ltshard")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "index.json")));
    }

    private void WritePrepared(string content)
    {
        Directory.CreateDirectory(Prepared);
        File.WriteAllText(Path.Combine(Prepared, "train-00000.ltshard"), content);
        File.WriteAllText(Path.Combine(Prepared, "index.json"), content);
    }

    private static List<string> Files(string folder) =>
        [.. Directory.EnumerateFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];
}
