using System.CommandLine;
using LlamaOperator.Core.Crd;

namespace LlamaOperator.Cli.Tests.Commands;

public sealed class CrdsCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("llamaop-crds-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Writes_the_generated_crd_into_the_output_dir()
    {
        var output = new StringWriter();
        var exit = Program.BuildRoot().Parse(["crds", "--output-dir", _dir.FullName]).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exit);
        var path = Path.Combine(_dir.FullName, "llamaoperator.dev_llamatrainingjobs.yaml");
        Assert.Equal(CrdGenerator.GenerateYaml(), File.ReadAllText(path));
        Assert.Contains(path, output.ToString());
    }
}
