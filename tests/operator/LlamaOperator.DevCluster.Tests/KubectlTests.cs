using LlamaOperator.TestSupport;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>kubectl 1.32 (the binary on the machine) against the dev cluster through its kubeconfig.</summary>
public class KubectlTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Task<(int Code, string Output)> Run(params string[] args) => Kubectl.RunAsync(fixture.Cluster.KubeconfigPath, args);

    private static string TestData(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Kubectl_applies_gets_watches_logs_and_deletes()
    {
        var ns = await fixture.NewNamespaceAsync();

        var apply = await Run("apply", "-n", ns, "-f", TestData("widget.yaml"));
        Assert.True(apply.Code == 0, apply.Output);
        Assert.Contains("widget.example.dev/w1 created", apply.Output);
        Assert.Contains("unchanged", (await Run("apply", "-n", ns, "-f", TestData("widget.yaml"))).Output);

        var get = await Run("get", "widgets", "-n", ns);
        Assert.True(get.Code == 0, get.Output);
        var lines = get.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+SIZE\s+COLOR\s+PHASE\s+AGE$", lines[0]);
        Assert.Matches(@"^w1\s+3\s+red\s+\d+s$", lines[1]);

        var invalid = await Run("apply", "-n", ns, "-f", TestData("bad-widget.yaml"));
        Assert.NotEqual(0, invalid.Code);
        Assert.Contains("spec.size: Invalid value: 20", invalid.Output);

        var watch = Run("get", "widgets", "-n", ns, "-w", "--request-timeout=3s");
        await Task.Delay(1000);
        Assert.Equal(0, (await Run("patch", "widget", "w1", "-n", ns, "--type=merge", "-p", """{"spec":{"size":5}}""")).Code);
        var watched = (await watch).Output;
        Assert.Matches(@"w1\s+5\s+red", watched);

        var pod = await Run("run", "greeter", "-n", ns, "--image=busybox", "--restart=Never", "--command", "--", "sh", "-c", "echo hi from kubectl");
        Assert.True(pod.Code == 0, pod.Output);
        await Eventually.Get(() => Run("get", "pod", "greeter", "-n", ns, "-o", "jsonpath={.status.phase}"), r => r.Output == "Succeeded", what: "pod Succeeded");
        Assert.Equal("hi from kubectl\n", (await Run("logs", "greeter", "-n", ns)).Output);
        var describe = await Run("describe", "pod", "greeter", "-n", ns);
        Assert.Contains("Exit Code:    0", describe.Output);

        // The imperative generators send protobuf bodies.
        var configMap = await Run("create", "configmap", "cfg", "-n", ns, "--from-literal=stage=pretrain");
        Assert.True(configMap.Code == 0, configMap.Output);
        Assert.Equal("pretrain", (await Run("get", "configmap", "cfg", "-n", ns, "-o", "jsonpath={.data.stage}")).Output);

        var delete = await Run("delete", "widget", "w1", "-n", ns);
        Assert.Contains("widget.example.dev \"w1\" deleted", delete.Output);
        Assert.Contains("No resources found", (await Run("get", "widgets", "-n", ns)).Output);
    }
}
