using System.CommandLine;
using k8s;

namespace LlamaOperator.Cli.Tests;

public class DevClusterCommandTests
{
    [Fact]
    public async Task Dev_cluster_prints_a_working_kubeconfig_and_stops_on_cancel()
    {
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = Program.BuildRoot().Parse(["dev-cluster", "--nodes", "3", "--gpus-per-node", "4"])
            .InvokeAsync(new InvocationConfiguration { Output = output }, stop.Token);
        string? kubeconfig = null;
        while (kubeconfig is null && !run.IsCompleted)
        {
            await Task.Delay(50);
            kubeconfig = Read(text).Split('\n').FirstOrDefault(l => l.StartsWith("kubeconfig: ", StringComparison.Ordinal))?["kubeconfig: ".Length..].Trim();
        }
        Assert.NotNull(kubeconfig);
        using (var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)))
        {
            var nodes = await client.CoreV1.ListNodeAsync();
            Assert.Equal(3, nodes.Items.Count);
            Assert.All(nodes.Items, n => Assert.Equal("4", n.Status.Allocatable["nvidia.com/gpu"].ToString()));
        }
        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    private static string Read(StringWriter writer)
    {
        // TextWriter.Synchronized locks the wrapper; reading the builder under that lock is not possible, so copy until stable.
        lock (writer)
        {
            return writer.GetStringBuilder().ToString();
        }
    }

    [Fact]
    public void Image_mapping_without_a_command_is_refused_by_name()
    {
        var error = new StringWriter();
        var exit = Program.BuildRoot().Parse(["dev-cluster", "--image", "trainer:dev"]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = error });
        Assert.Equal(2, exit);
        Assert.Contains("--image \"trainer:dev\": expected IMAGE=COMMAND", error.ToString());
    }
}
