using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Rendering;
using LlamaOperator.DevCluster;
using LlamaOperator.Operator.Admission;
using LlamaOperator.Operator.Hosting;
using Serilog;

namespace LlamaOperator.Cli.Local;

/// <summary>
/// One job on this machine: the dev cluster, the operator in-process (no leader election) and the applied job.
/// <see cref="StopAsync"/> stops the operator first (nothing re-creates pods), then deletes the job's pods the
/// Kubernetes way (SIGTERM: the trainer finishes its step and checkpoints; SIGKILL after the grace period).
/// Used by `llamaop local` and the end-to-end tests.
/// </summary>
internal sealed class LocalSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _operatorStop = new();
    private readonly ILogger _log;
    private Task _operator = Task.CompletedTask;
    private bool _stopped;

    private LocalSession(DevCluster.DevCluster cluster, Kubernetes client, LlamaTrainingJob job, ILogger log)
    {
        Cluster = cluster;
        Client = client;
        Job = job;
        _log = log;
    }

    public DevCluster.DevCluster Cluster { get; }
    public Kubernetes Client { get; }

    /// <summary>The job as applied (local paths absolute).</summary>
    public LlamaTrainingJob Job { get; }

    public string Namespace => Job.Metadata.NamespaceProperty ?? "default";
    public string Name => Job.Metadata.Name;

    /// <summary>Starts the cluster and the operator, then applies <paramref name="job"/> (whose local paths must already be absolute).</summary>
    public static async Task<LocalSession> StartAsync(LlamaTrainingJob job, DevClusterOptions clusterOptions, OperatorOptions operatorOptions, ILogger log, CancellationToken cancellationToken)
    {
        var cluster = await DevCluster.DevCluster.StartAsync(clusterOptions, cancellationToken);
        var client = cluster.CreateClient();
        var session = new LocalSession(cluster, client, job, log);
        var host = new OperatorHost(client, operatorOptions, log);
        session._operator = Task.Run(() => host.RunAsync(session._operatorStop.Token), CancellationToken.None);
        try
        {
            if (operatorOptions.Webhook is not null)
            {
                await session.RegisterWebhookAsync(host, cancellationToken);
            }

            await session.ApplyAsync(cancellationToken);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        return session;
    }

    /// <summary>
    /// Registers the in-process operator's admission webhook with the dev cluster (by URL, trusting the operator's
    /// generated CA), so that `kubectl apply` of a job the operator would refuse is refused at once, as on a cluster
    /// with the Helm chart.
    /// </summary>
    private async Task RegisterWebhookAsync(OperatorHost host, CancellationToken cancellationToken)
    {
        var endpoint = await host.WebhookStarted.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var configuration = JobWebhookConfiguration.ForUrl("llama-operator", endpoint.JobValidationUrl, endpoint.CaBundlePem!);
        await Client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(configuration, cancellationToken: cancellationToken);
        _log.Information("Registered the admission webhook {WebhookUrl}: kubectl apply refuses a job the operator would refuse", endpoint.JobValidationUrl);
    }

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        if (Namespace != "default")
        {
            try
            {
                await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Already there.
            }
        }

        var body = JsonNode.Parse(ApiJson.Serialize(new LlamaTrainingJob { Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace, Labels = Job.Metadata.Labels, Annotations = Job.Metadata.Annotations }, Spec = Job.Spec }))!;
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, ApiGroup.Group, ApiGroup.Version, Namespace, ApiGroup.Plural, cancellationToken: cancellationToken);
    }

    public Task<LlamaTrainingJob> ReadJobAsync(CancellationToken cancellationToken) =>
        Client.CustomObjects.GetNamespacedCustomObjectAsync<LlamaTrainingJob>(ApiGroup.Group, ApiGroup.Version, Namespace, ApiGroup.Plural, Name, cancellationToken);

    /// <summary>Polls the job, handing each read to <paramref name="onRead"/>, until it Succeeded or Failed; a stopped operator is an error.</summary>
    public async Task<LlamaTrainingJob> WaitForEndAsync(Action<LlamaTrainingJob> onRead, TimeSpan poll, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await ReadJobAsync(cancellationToken);
            onRead(job);
            if (job.Status?.Phase is JobPhase.Succeeded or JobPhase.Failed)
            {
                return job;
            }

            if (_operator.IsCompleted)
            {
                await _operator; // surfaces the operator's exception
                throw new InvalidOperationException("the operator stopped before the job finished");
            }

            await Task.Delay(poll, cancellationToken);
        }
    }

    /// <summary>Stops the operator, then the job's pods gracefully, waiting until they are gone (at most <paramref name="wait"/>).</summary>
    public async Task StopAsync(TimeSpan wait)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _operatorStop.CancelAsync();
        await StopOperatorAsync();
        var selector = $"{TrainerLabels.Job}={Name}";
        var pods = await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector);
        var running = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is "Pending" or "Running").ToList();
        if (running.Count == 0)
        {
            return;
        }

        _log.Information("Stopping {Count} pod(s) of job {Job}: SIGTERM, the trainer checkpoints and exits", running.Count, Name);
        foreach (var pod in running)
        {
            try
            {
                await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, Namespace);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Gone meanwhile.
            }
        }

        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while ((await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: selector, cancellationToken: timeout.Token)).Items.Any(p => running.Any(r => r.Metadata.Uid == p.Metadata.Uid)))
            {
                await Task.Delay(200, timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            _log.Warning("The job's pods did not stop within {Wait}; they are killed", wait);
        }
    }

    private async Task StopOperatorAsync()
    {
        try
        {
            await _operator;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Error(e, "The operator failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _operatorStop.CancelAsync();
            await StopOperatorAsync();
        }

        Client.Dispose();
        await Cluster.DisposeAsync();
        _operatorStop.Dispose();
    }
}
