using k8s;
using LlamaOperator.Operator.Hosting;
using LlamaOperator.Operator.Reconciling;
using Prometheus;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>An OperatorHost running in the background for one test, watching one namespace; disposing stops it.</summary>
internal sealed class RunningOperator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public RunningOperator(IKubernetes client, OperatorOptions options, ITestOutputHelper output, string name = "op")
    {
        Host = new OperatorHost(client, options, TestOutputSink.Logger(output, name));
        _run = Task.Run(() => Host.RunAsync(_stop.Token));
    }

    public OperatorHost Host { get; }

    public bool Finished => _run.IsCompleted;

    /// <summary>Fast polling and a private metrics registry, for one namespace.</summary>
    public static OperatorOptions Options(string ns, CollectorRegistry? registry = null) => new()
    {
        Namespace = ns,
        Workers = 2,
        MetricsRegistry = registry ?? Prometheus.Metrics.NewCustomRegistry(),
        Reconciler = new ReconcilerSettings { ProgressPollInterval = TimeSpan.FromMilliseconds(200), StorageRetry = TimeSpan.FromMilliseconds(200), StorageTimeout = TimeSpan.FromSeconds(1) },
    };

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
