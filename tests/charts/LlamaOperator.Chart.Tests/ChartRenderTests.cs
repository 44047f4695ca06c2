using k8s.Models;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Chart.Tests;

/// <summary>helm lint and helm template of charts/llama-operator, the rendered objects parsed strictly into typed models.</summary>
public class ChartRenderTests(ChartRenders renders) : IClassFixture<ChartRenders>
{
    [Fact]
    public async Task Helm_lint_passes_with_default_and_full_values()
    {
        var plain = await HelmCli.RunAsync(["lint", "--strict", HelmCli.ChartPath]);
        Assert.True(plain.ExitCode == 0, plain.Stdout + plain.Stderr);
        var full = await HelmCli.RunAsync(["lint", "--strict", HelmCli.ChartPath, "--values", HelmCli.FullValuesPath]);
        Assert.True(full.ExitCode == 0, full.Stdout + full.Stderr);
    }

    [Fact]
    public void Default_values_render_the_operator_with_cluster_wide_rbac()
    {
        Assert.Equal(
            [
                "ClusterRole/rel-llama-operator",
                "ClusterRoleBinding/rel-llama-operator",
                "CustomResourceDefinition/llamatrainingjobs.llamaoperator.dev",
                "Deployment/ops/rel-llama-operator",
                "Role/ops/rel-llama-operator-leader-election",
                "RoleBinding/ops/rel-llama-operator-leader-election",
                "Secret/ops/rel-llama-operator-webhook-tls",
                "Service/ops/rel-llama-operator-metrics",
                "Service/ops/rel-llama-operator-webhook",
                "ServiceAccount/ops/rel-llama-operator",
                "ValidatingWebhookConfiguration/rel-llama-operator",
            ],
            renders.Default.Identities());
        var args = Container(renders.Default).Args;
        Assert.Equal(
            ["run", "--leader-elect=true", "--leader-election-namespace=ops", "--leader-election-id=llama-operator", "--http-address=http://0.0.0.0:8080", "--webhook-address=https://0.0.0.0:9443", "--webhook-cert-dir=/etc/llama-operator/webhook-tls", "--workers=4", "--log-level=Information", "--log-format=json"],
            args);
        Assert.Equal("ghcr.io/llamaoperator/llama-operator:0.1.0", Container(renders.Default).Image);
    }

    [Fact]
    public void Full_values_render_every_optional_object_and_setting()
    {
        var full = renders.Full;
        Assert.Equal(
            [
                "Certificate/ops/training-operator-webhook",
                "ClusterRole/training-operator-nodes",
                "ClusterRoleBinding/training-operator-nodes",
                "CustomResourceDefinition/llamatrainingjobs.llamaoperator.dev",
                "Deployment/ops/training-operator",
                "NetworkPolicy/ml-team/training-operator-trainers",
                "PodDisruptionBudget/ops/training-operator",
                "Role/ml-team/training-operator",
                "Role/ops-leases/training-operator-leader-election",
                "RoleBinding/ml-team/training-operator",
                "RoleBinding/ops-leases/training-operator-leader-election",
                "Service/ops/training-operator-metrics",
                "Service/ops/training-operator-webhook",
                "ServiceAccount/ops/training-operator-sa",
                "ServiceMonitor/ops/training-operator",
                "ValidatingWebhookConfiguration/training-operator",
            ],
            full.Identities());
        var deployment = full.Single<V1Deployment>();
        var pod = deployment.Spec.Template.Spec;
        var container = Container(full);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("registry.example.com/ml/llama-operator:1.2.3", container.Image);
        Assert.Equal("Always", container.ImagePullPolicy);
        Assert.Equal(["regcred"], pod.ImagePullSecrets.Select(s => s.Name));
        Assert.Equal(
            ["run", "--namespace=ml-team", "--leader-elect=true", "--leader-election-namespace=ops-leases", "--leader-election-id=training-operator-leader", "--http-address=http://0.0.0.0:9090", "--webhook-address=https://0.0.0.0:9444", "--webhook-cert-dir=/etc/llama-operator/webhook-tls", "--workers=8", "--log-level=Debug", "--log-format=text"],
            container.Args);
        Assert.Equal("training-operator-sa", pod.ServiceAccountName);
        Assert.Equal("system-cluster-critical", pod.PriorityClassName);
        Assert.Equal("true", pod.NodeSelector["node-role.example.com/system"]);
        Assert.Equal("dedicated", Assert.Single(pod.Tolerations).Key);
        Assert.Equal(100, Assert.Single(pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution).Weight);
        Assert.Equal("ml-platform", deployment.Spec.Template.Metadata.Labels["team"]);
        Assert.Equal("true", deployment.Spec.Template.Metadata.Annotations["example.com/scrape"]);
        Assert.Equal("1Gi", container.Resources.Limits["memory"].ToString());

        // Blob credentials: the existing Secret's keys as optional env, and workload identity on pod and ServiceAccount.
        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal(("llama-blob", "conn", true), (env["AZURE_STORAGE_CONNECTION_STRING"].ValueFrom.SecretKeyRef.Name, env["AZURE_STORAGE_CONNECTION_STRING"].ValueFrom.SecretKeyRef.Key, env["AZURE_STORAGE_CONNECTION_STRING"].ValueFrom.SecretKeyRef.Optional == true));
        Assert.Equal("sas", env["AZURE_STORAGE_SAS_TOKEN"].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("0", env["DOTNET_gcServer"].Value);
        Assert.Equal("true", deployment.Spec.Template.Metadata.Labels["azure.workload.identity/use"]);
        var account = full.Single<V1ServiceAccount>();
        Assert.Equal("00000000-0000-0000-0000-000000000001", account.Metadata.Annotations["azure.workload.identity/client-id"]);
        Assert.Equal("00000000-0000-0000-0000-000000000002", account.Metadata.Annotations["azure.workload.identity/tenant-id"]);
        Assert.Equal("ml-platform", account.Metadata.Annotations["example.com/owner"]);

        var service = full.Named<V1Service>("training-operator-metrics");
        Assert.Equal((9091, "http"), (service.Spec.Ports.Single().Port, service.Spec.Ports.Single().TargetPort.Value));
        Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
        var monitor = full.Single<ServiceMonitor>();
        Assert.Equal("prometheus", monitor.Metadata.Labels["release"]);
        Assert.Equal(("http", "/metrics", "15s", "5s"), (monitor.Spec.Endpoints.Single().Port, monitor.Spec.Endpoints.Single().Path, monitor.Spec.Endpoints.Single().Interval, monitor.Spec.Endpoints.Single().ScrapeTimeout));
        Assert.Equal(service.Metadata.Labels["app.kubernetes.io/instance"], monitor.Spec.Selector.MatchLabels["app.kubernetes.io/instance"]);
        var budget = full.Single<V1PodDisruptionBudget>();
        Assert.Equal(deployment.Spec.Selector.MatchLabels, budget.Spec.Selector.MatchLabels);
        Assert.Equal("1", budget.Spec.MinAvailable.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_operator_runs_non_root_on_a_read_only_root_without_privileges(bool fullValues)
    {
        var chart = fullValues ? renders.Full : renders.Default;
        var pod = chart.Single<V1Deployment>().Spec.Template.Spec;
        var container = Container(chart);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        var security = container.SecurityContext;
        Assert.True(security.RunAsNonRoot);
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Null(security.Capabilities.Add);
        Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);
        Assert.Null(security.Privileged);
        // The only writable place is an emptyDir at /tmp; the webhook certificate is mounted read-only.
        var tmp = Assert.Single(container.VolumeMounts, m => m.ReadOnlyProperty != true);
        Assert.Equal("/tmp", tmp.MountPath);
        Assert.NotNull(pod.Volumes.Single(v => v.Name == tmp.Name).EmptyDir);
        var tls = Assert.Single(container.VolumeMounts, m => m.ReadOnlyProperty == true);
        Assert.Equal("/etc/llama-operator/webhook-tls", tls.MountPath);
        Assert.NotNull(pod.Volumes.Single(v => v.Name == tls.Name).Secret);
    }

    [Theory]
    [InlineData(false, 8080)]
    [InlineData(true, 9090)]
    public void Probes_hit_healthz_and_readyz_on_the_http_address_port(bool fullValues, int port)
    {
        var container = Container(fullValues ? renders.Full : renders.Default);
        var http = Assert.Single(container.Ports, p => p.Name == "http");
        Assert.Equal(("http", port), (http.Name, http.ContainerPort));
        Assert.Equal(("/healthz", "http"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
        Assert.Equal(("/readyz", "http"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
        Assert.Contains($"--http-address=http://0.0.0.0:{port}", container.Args);
    }

    [Fact]
    public void The_leader_identity_and_namespace_come_from_the_downward_api()
    {
        var env = Container(renders.Default).Env.ToDictionary(e => e.Name);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
        Assert.DoesNotContain("AZURE_STORAGE_CONNECTION_STRING", env.Keys);
    }

    [Fact]
    public void Strict_parsing_rejects_a_field_the_model_does_not_have()
    {
        var broken = renders.DefaultYaml.Replace("      serviceAccountName:", "      serviceAccountNmae:", StringComparison.Ordinal);
        Assert.NotEqual(renders.DefaultYaml, broken);
        var error = Assert.ThrowsAny<Exception>(() => RenderedChart.Parse(broken));
        Assert.Contains("serviceAccountNmae", error.ToString());
    }

    [Theory]
    [InlineData("replicaCount=2,leaderElection.enabled=false", "replicaCount > 1 needs leaderElection.enabled")]
    [InlineData("logging.format=xml", "logging.format must be json or text")]
    [InlineData("logging.level=Trace", "logging.level must be one of")]
    [InlineData("blobStorage.workloadIdentity.enabled=true", "blobStorage.workloadIdentity.clientId is required")]
    [InlineData("metrics.serviceMonitor.enabled=true,metrics.service.enabled=false", "metrics.serviceMonitor.enabled needs metrics.service.enabled")]
    [InlineData("serviceAccount.create=false", "serviceAccount.name must name an existing ServiceAccount")]
    [InlineData("trainerNetworkPolicy.enabled=true", "trainerNetworkPolicy.namespaces: name the namespaces jobs run in")]
    [InlineData("webhook.failurePolicy=Maybe", "webhook.failurePolicy must be Fail or Ignore")]
    [InlineData("webhook.timeoutSeconds=60", "webhook.timeoutSeconds must be between 1 and 30")]
    public async Task Contradictory_values_fail_with_a_message_naming_them(string set, string message)
    {
        var result = await HelmCli.RunAsync(["template", "rel", HelmCli.ChartPath, "--set", set]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public async Task Leader_election_off_drops_its_flags_and_its_role()
    {
        var yaml = await HelmCli.TemplateAsync("--set", "leaderElection.enabled=false");
        var chart = RenderedChart.Parse(yaml);
        Assert.Contains("--leader-elect=false", Container(chart).Args);
        Assert.DoesNotContain(Container(chart).Args, a => a.StartsWith("--leader-election-", StringComparison.Ordinal));
        Assert.Empty(chart.All<V1Role>());
    }

    [Fact]
    public void The_trainer_network_policy_admits_into_trainer_pods_only_trainer_pods_on_every_port()
    {
        var policy = renders.Full.Single<V1NetworkPolicy>(); // in watchNamespace when no namespaces are listed
        Dictionary<string, string> trainers = new() { [TrainerLabels.AppName] = TrainerLabels.AppNameValue, [TrainerLabels.ManagedBy] = TrainerLabels.ManagedByValue };

        Assert.Equal(trainers, policy.Spec.PodSelector.MatchLabels);
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes); // egress (storage, data, DNS) stays open
        var rule = Assert.Single(policy.Spec.Ingress);
        Assert.Null(rule.Ports); // Gloo and NCCL listen on ephemeral ports
        var from = Assert.Single(rule.FromProperty);
        Assert.Equal(trainers, from.PodSelector.MatchLabels);
        Assert.Null(from.NamespaceSelector); // the same namespace only
    }

    [Fact]
    public async Task The_trainer_network_policy_goes_to_each_listed_namespace_and_is_off_by_default()
    {
        var chart = RenderedChart.Parse(await HelmCli.TemplateAsync("--set", "trainerNetworkPolicy.enabled=true", "--set", "trainerNetworkPolicy.namespaces={research,vision}"));

        Assert.Equal(["research", "vision"], chart.All<V1NetworkPolicy>().Select(p => p.Metadata.NamespaceProperty).Order(StringComparer.Ordinal));
        Assert.Empty(renders.Default.All<V1NetworkPolicy>());
    }

    private static V1Container Container(RenderedChart chart) => Assert.Single(chart.Single<V1Deployment>().Spec.Template.Spec.Containers);
}
