using System.CommandLine;
using k8s;
using LlamaOperator.Cli.Running;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Runtime.LeaderElection;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop run`: the operator process (the Helm chart's container command). Flags as in the shared contract.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig file (default: in-cluster when KUBERNETES_SERVICE_HOST is set, else $KUBECONFIG, else ~/.kube/config)" };
        var ns = new Option<string?>("--namespace") { Description = "Watch only this namespace (default: all namespaces, which needs a ClusterRole)" };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Reconcile only while holding the leader Lease", DefaultValueFactory = _ => true };
        var leaseNamespace = new Option<string?>("--leader-election-namespace") { Description = "Namespace of the leader Lease (default: env POD_NAMESPACE, else default)" };
        var leaseName = new Option<string>("--leader-election-id") { Description = "Name of the coordination.k8s.io/v1 Lease", DefaultValueFactory = _ => "llama-operator" };
        var httpAddress = new Option<string>("--http-address") { Description = "Where /healthz, /readyz and /metrics are served", DefaultValueFactory = _ => "http://0.0.0.0:8080" };
        var webhookAddress = new Option<string?>("--webhook-address") { Description = "Serve the validating admission webhook /validate-llamatrainingjob here over HTTPS, e.g. https://0.0.0.0:9443 (default: no webhook)" };
        var webhookCertDir = new Option<string?>("--webhook-cert-dir") { Description = "Folder with the webhook's tls.crt and tls.key (a mounted Secret; re-read when they change); default: a certificate generated at start for --webhook-dns-name" };
        var webhookDnsNames = new Option<string[]>("--webhook-dns-name") { Description = "A DNS name of a generated webhook certificate (repeatable; default localhost)", AllowMultipleArgumentsPerToken = false };
        var workers = new Option<int>("--workers") { Description = "Jobs reconciled concurrently", DefaultValueFactory = _ => 4 };
        var logLevel = new Option<string>("--log-level") { Description = "Verbose, Debug, Information, Warning or Error", DefaultValueFactory = _ => "Information" };
        logLevel.AcceptOnlyFromAmong(OperatorLogger.Levels);
        var logFormat = new Option<string>("--log-format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong(OperatorLogger.Formats);

        var command = new Command("run", "Run the operator: reconcile LlamaTrainingJobs until stopped (SIGTERM / Ctrl+C)");
        foreach (var option in new Option[] { kubeconfig, ns, leaderElect, leaseNamespace, leaseName, httpAddress, webhookAddress, webhookCertDir, webhookDnsNames, workers, logLevel, logFormat })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(workers) < 1)
            {
                parse.InvocationConfiguration.Error.WriteLine($"--workers must be at least 1, not {parse.GetValue(workers)}");
                return 2;
            }

            using var log = OperatorLogger.Create(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            var connection = ClusterConnection.Choose(parse.GetValue(kubeconfig), Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
            KubernetesClientConfiguration configuration;
            try
            {
                configuration = connection.Configuration();
            }
            catch (Exception e) when (e is FileNotFoundException or k8s.Exceptions.KubeConfigException)
            {
                parse.InvocationConfiguration.Error.WriteLine(e.Message);
                return 2;
            }

            var identity = OperatorIdentity.Create(Environment.GetEnvironmentVariable);
            var options = new OperatorOptions
            {
                Namespace = parse.GetValue(ns),
                Workers = parse.GetValue(workers),
                HttpAddress = parse.GetValue(httpAddress),
                Webhook = parse.GetValue(webhookAddress) is { Length: > 0 } webhook
                    ? new WebhookOptions
                    {
                        Address = webhook,
                        CertificateDirectory = parse.GetValue(webhookCertDir),
                        DnsNames = parse.GetValue(webhookDnsNames) is { Length: > 0 } names ? names : ["localhost"],
                    }
                    : null,
                Identity = identity,
                LeaderElection = parse.GetValue(leaderElect)
                    ? new LeaderElectionOptions
                    {
                        LeaseNamespace = parse.GetValue(leaseNamespace) ?? (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } podNamespace ? podNamespace : "default"),
                        LeaseName = parse.GetValue(leaseName)!,
                        Identity = identity,
                    }
                    : null,
            };
            log.Information("Connecting with {Connection}", connection.ToString());
            using var client = new Kubernetes(configuration);
            try
            {
                await OperatorHost.RunAsync(client, options, log, cancellationToken);
                return 0;
            }
            catch (Exception e)
            {
                log.Fatal(e, "The operator stopped");
                return 1;
            }
        });
        return command;
    }
}
