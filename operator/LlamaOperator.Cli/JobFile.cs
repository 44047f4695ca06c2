using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Cli;

/// <summary>Reads a job manifest for a command, printing its problems (one per line) instead of a stack trace.</summary>
internal static class JobFile
{
    public static LlamaTrainingJob? TryRead(string path, TextWriter error)
    {
        try
        {
            return ManifestReader.ReadFile(path);
        }
        catch (ManifestException ex)
        {
            error.WriteLine($"{ex.File}: invalid LlamaTrainingJob:");
            foreach (var problem in ex.Problems)
            {
                error.WriteLine($"  {problem}");
            }

            return null;
        }
    }
}
