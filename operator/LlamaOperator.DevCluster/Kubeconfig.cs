namespace LlamaOperator.DevCluster;

/// <summary>The kubeconfig file for a dev cluster: plain HTTP on 127.0.0.1, no credentials.</summary>
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
        users:
        - name: {ContextName}
          user: {"{}"}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}
            namespace: default
        current-context: {ContextName}

        """;
}
