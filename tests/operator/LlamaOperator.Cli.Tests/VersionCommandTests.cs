using System.CommandLine;

namespace LlamaOperator.Cli.Tests;

public class VersionCommandTests
{
    [Fact]
    public void Version_names_the_served_api_version()
    {
        var output = new StringWriter();
        var exit = Program.BuildRoot().Parse(["version"]).Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        Assert.Contains("llamaoperator.dev/v1alpha1", output.ToString());
    }
}
