using System.CommandLine;
using LlamaOperator.Core.Docs;

namespace LlamaOperator.Cli.Tests.Commands;

public sealed class DocsCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llamaop-docs-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Writes_the_api_reference_to_the_output_file()
    {
        var file = Path.Combine(_dir.FullName, "nested", "api.md");
        var exit = Program.BuildRoot().Parse(["docs", "--output", file]).Invoke(new InvocationConfiguration { Output = new StringWriter() });

        Assert.Equal(0, exit);
        Assert.Equal(ApiReferenceWriter.Write(), File.ReadAllText(file));
    }
}
