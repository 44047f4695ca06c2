using System.CommandLine;

namespace LlamaOperator.Cli.Tests;

/// <summary>Runs llamaop in-process and captures what it prints.</summary>
internal sealed record CliRun(int Exit, string Output, string Error)
{
    public static CliRun Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = Program.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    /// <summary>A copy of an example with text replaced, in a fresh temp folder.</summary>
    public static string ExampleVariant(string name, string find, string replace)
    {
        var text = File.ReadAllText(Example(name));
        Assert.Contains(find, text);
        var folder = Directory.CreateTempSubdirectory("llamaop-test-");
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllText(path, text.Replace(find, replace, StringComparison.Ordinal));
        return path;
    }
}
