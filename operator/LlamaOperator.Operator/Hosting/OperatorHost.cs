using k8s;
using LlamaOperator.Operator.Admission;
using LlamaOperator.Operator.Metrics;
using LlamaOperator.Runtime.Health;
using LlamaOperator.Runtime.LeaderElection;
using LlamaOperator.Runtime.Webhooks;
using Prometheus;
using Serilog;

namespace LlamaOperator.Operator.Hosting;

/// <summary>
/// The operator process: the optional health/metrics server and admission webhook server (both served by every
/// replica, leader or not), leader election (when configured) and, while leading,
/// the informers, the job controller and the event recorder. Used by `llamaop run` and by local mode.
/// </summary>
/// <example>
/// <code>
/// await OperatorHost.RunAsync(client, new OperatorOptions { Namespace = "research" }, Log.Logger, shutdown);
/// </code>
/// </example>
public sealed class OperatorHost
{
    private readonly IKubernetes _client;
    private readonly OperatorOptions _options;
    private readonly ILogger _log;
    private readonly TaskCompletionSource<WebhookEndpoint> _webhookStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _leading;

    public OperatorHost(IKubernetes client, OperatorOptions options, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1, "options.Workers");
        _client = client;
        _options = options;
        _log = log.ForContext<OperatorHost>();
    }

    /// <summary>True while this instance reconciles (during a leader term, or from start without election).</summary>
    public bool IsLeading => _leading;

    /// <summary>Base URL of the health/metrics server once started (useful with port 0); null without one.</summary>
    public Uri? HttpBaseUrl { get; private set; }

    /// <summary>Completes when the admission webhook serves (with its URL and generated CA); faults when it cannot start.</summary>
    public Task<WebhookEndpoint> WebhookStarted => _webhookStarted.Task;

    /// <summary>Runs the operator until cancelled.</summary>
    public static Task RunAsync(IKubernetes client, OperatorOptions options, ILogger log, CancellationToken cancellationToken) =>
        new OperatorHost(client, options, log).RunAsync(cancellationToken);

    /// <summary>Runs until cancelled (returns normally); throws when a term fails without leader election.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var readiness = new ReadinessGate();
        var factory = _options.MetricsRegistry is { } registry ? Prometheus.Metrics.WithCustomRegistry(registry) : Prometheus.Metrics.DefaultFactory;
        var jobMetrics = new JobMetrics(factory);
        HealthServer? health = null;
        if (_options.HttpAddress is { } address)
        {
            health = await HealthServer.StartAsync(address, readiness, _options.MetricsRegistry, cancellationToken);
            HttpBaseUrl = health.BaseUrl;
            _log.Information("Serving /healthz, /readyz and /metrics at {HttpAddress}", health.BaseUrl);
        }

        WebhookServer? webhook = null;
        try
        {
            webhook = await StartWebhookAsync(cancellationToken);
            _log.Information("Operator {Identity} starting; watching {Scope}", _options.Identity, _options.Namespace is null ? "all namespaces" : $"namespace {_options.Namespace}");
            if (_options.LeaderElection is { } election)
            {
                var runner = LeaderElectedRunner.ForLease(_client, new LeaderElectionOptions
                {
                    LeaseNamespace = election.LeaseNamespace,
                    LeaseName = election.LeaseName,
                    Identity = _options.Identity,
                    LeaseDuration = election.LeaseDuration,
                    RenewDeadline = election.RenewDeadline,
                    RetryPeriod = election.RetryPeriod,
                    ReleaseOnCancel = election.ReleaseOnCancel,
                    Logger = _log,
                });
                await runner.RunAsync(term => RunTermAsync(readiness, jobMetrics, factory, term), cancellationToken);
            }
            else
            {
                await RunTermAsync(readiness, jobMetrics, factory, cancellationToken);
            }
        }
        finally
        {
            _webhookStarted.TrySetCanceled(CancellationToken.None);
            if (webhook is not null)
            {
                await webhook.DisposeAsync();
            }

            if (health is not null)
            {
                await health.DisposeAsync();
            }
        }
    }

    private async Task<WebhookServer?> StartWebhookAsync(CancellationToken cancellationToken)
    {
        if (_options.Webhook is not { } options)
        {
            return null;
        }

        try
        {
            var certificate = options.CertificateDirectory is { } directory
                ? WebhookCertificate.FromDirectory(directory)
                : WebhookCertificate.Generate(options.DnsNames, options.IpAddresses);
            var server = await WebhookServer.StartAsync(options.Address, certificate, new Dictionary<string, Func<AdmissionRequest, AdmissionVerdict>> { [JobAdmission.Path] = JobAdmission.Review }, _log, cancellationToken);
            _log.Information("Serving the admission webhook {WebhookUrl} with the certificate {CertificateSource}", new Uri(server.BaseUrl, JobAdmission.Path), certificate.Source);
            _webhookStarted.TrySetResult(new WebhookEndpoint(server.BaseUrl, certificate.CaBundlePem));
            return server;
        }
        catch (Exception e)
        {
            _webhookStarted.TrySetException(e);
            throw;
        }
    }

    private async Task RunTermAsync(ReadinessGate readiness, JobMetrics jobMetrics, IMetricFactory factory, CancellationToken cancellationToken)
    {
        _leading = true;
        try
        {
            var set = await OperatorTerm.BuildAsync(_client, _options, readiness, jobMetrics, factory, _log, cancellationToken);
            await set.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _leading = false;
            jobMetrics.Clear();
        }
    }
}
