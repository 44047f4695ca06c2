namespace LlamaTrainer.Data.Tests.TestDoubles;

public static class RepositoryPaths
{
    /// <summary>The checkout root (the folder with LlamaOperator.sln), found from the test binaries upwards.</summary>
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LlamaOperator.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no LlamaOperator.sln above {AppContext.BaseDirectory}");
    }

    public static string Corpus => Path.Combine(Root(), "examples", "corpus");
}
