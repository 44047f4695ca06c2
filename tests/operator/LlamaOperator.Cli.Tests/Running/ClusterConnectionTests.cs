using LlamaOperator.Cli.Running;

namespace LlamaOperator.Cli.Tests.Running;

public class ClusterConnectionTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_flag_wins_over_in_cluster_and_the_environment()
    {
        var chosen = ClusterConnection.Choose("/x/config", Env(("KUBERNETES_SERVICE_HOST", "10.0.0.1"), ("KUBECONFIG", "/y")), "/home/me");
        Assert.Equal(new ClusterConnection(false, "/x/config"), chosen);
    }

    [Fact]
    public void In_a_pod_the_service_account_is_used()
    {
        Assert.True(ClusterConnection.Choose(null, Env(("KUBERNETES_SERVICE_HOST", "10.0.0.1"), ("KUBECONFIG", "/y")), "/home/me").InCluster);
    }

    [Fact]
    public void Outside_a_pod_KUBECONFIG_then_the_home_kubeconfig()
    {
        Assert.Equal("/y", ClusterConnection.Choose(null, Env(("KUBECONFIG", "/y")), "/home/me").KubeconfigPath);
        Assert.Equal(Path.Combine("/home/me", ".kube", "config"), ClusterConnection.Choose(null, Env(), "/home/me").KubeconfigPath);
    }

    [Fact]
    public void A_missing_kubeconfig_is_named_in_the_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new ClusterConnection(false, "/nonexistent/kubeconfig").Configuration());
        Assert.Contains("/nonexistent/kubeconfig", error.Message);
    }
}
