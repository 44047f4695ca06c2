namespace LlamaOperator.DevCluster;

/// <summary>
/// The kubeconfig file for a dev cluster: plain HTTP on 127.0.0.1 and no user at all (KubernetesClient
/// refuses a user entry without credentials; kubectl accepts both).
/// </summary>
public static class Kubeconfig
{
    public const string ContextName = "llamaop-dev";

    public static string Render(Uri server) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {server.ToString().TrimEnd('/')}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            namespace: default
        current-context: {ContextName}

        """;
}
