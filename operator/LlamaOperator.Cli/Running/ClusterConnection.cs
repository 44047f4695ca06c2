using k8s;

namespace LlamaOperator.Cli.Running;

/// <summary>
/// Where `llamaop run` finds its API server: --kubeconfig when given; else the in-cluster service account when
/// KUBERNETES_SERVICE_HOST is set; else $KUBECONFIG; else ~/.kube/config.
/// </summary>
internal sealed record ClusterConnection(bool InCluster, string? KubeconfigPath)
{
    public static ClusterConnection Choose(string? kubeconfigFlag, Func<string, string?> environment, string home)
    {
        if (!string.IsNullOrWhiteSpace(kubeconfigFlag))
        {
            return new ClusterConnection(false, kubeconfigFlag);
        }

        if (!string.IsNullOrWhiteSpace(environment("KUBERNETES_SERVICE_HOST")))
        {
            return new ClusterConnection(true, null);
        }

        var fromEnvironment = environment("KUBECONFIG");
        return new ClusterConnection(false, string.IsNullOrWhiteSpace(fromEnvironment) ? Path.Combine(home, ".kube", "config") : fromEnvironment);
    }

    public KubernetesClientConfiguration Configuration()
    {
        if (InCluster)
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        if (!File.Exists(KubeconfigPath))
        {
            throw new FileNotFoundException($"kubeconfig {KubeconfigPath} does not exist; pass --kubeconfig PATH, set KUBECONFIG, or run in a pod", KubeconfigPath);
        }

        return KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
    }

    public override string ToString() => InCluster ? "in-cluster service account" : $"kubeconfig {KubeconfigPath}";
}
