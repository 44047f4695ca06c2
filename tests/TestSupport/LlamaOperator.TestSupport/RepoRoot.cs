namespace LlamaOperator.TestSupport;

/// <summary>Finds the repository root (the folder holding LlamaOperator.sln) from where the tests run.</summary>
public static class RepoRoot
{
    public const string SolutionFile = "LlamaOperator.sln";

    public static string Find() => Find(AppContext.BaseDirectory);

    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no {SolutionFile} in {start} or any folder above it; run the tests from inside the repository");
    }
}
