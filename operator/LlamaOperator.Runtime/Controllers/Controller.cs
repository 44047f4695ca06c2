using LlamaOperator.Runtime.Queue;
using Serilog;
using Serilog.Context;

namespace LlamaOperator.Runtime.Controllers;

/// <summary>
/// Runs N workers that take keys from a work queue and reconcile them: success forgets the key's backoff,
/// RequeueAfter schedules it again, an exception or RequeueWithBackoff retries it rate-limited. Every log
/// line written during a reconcile carries the controller name and the key (Serilog LogContext).
/// </summary>
public sealed class Controller<TKey>
    where TKey : notnull
{
    private readonly WorkQueue<TKey> _queue;
    private readonly IReconciler<TKey> _reconciler;
    private readonly ControllerOptions _options;
    private readonly ControllerMetrics.Bound _metrics;
    private readonly ILogger _log;

    public Controller(string name, WorkQueue<TKey> queue, IReconciler<TKey> reconciler, ControllerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _options = options ?? new ControllerOptions();
        if (_options.Workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.Workers, "ControllerOptions.Workers must be at least 1.");
        }

        Name = name;
        _queue = queue;
        _reconciler = reconciler;
        _metrics = (_options.Metrics ?? new ControllerMetrics()).For(name);
        _log = (_options.Logger ?? Log.Logger).ForContext<Controller<TKey>>();
    }

    public string Name { get; }

    public WorkQueue<TKey> Queue => _queue;

    /// <summary>
    /// Reconciles until cancelled, then shuts the queue down and waits for the workers; reconciles in
    /// flight see the cancellation through their token.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using (LogContext.PushProperty("Controller", Name))
        {
            _log.Information("Starting {Workers} workers", _options.Workers);
            var workers = Enumerable.Range(0, _options.Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            _queue.ShutDown();
            await Task.WhenAll(workers);
            _log.Information("Stopped");
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var item = await _queue.GetAsync(CancellationToken.None);
            if (item.IsShutDown)
            {
                return;
            }

            try
            {
                await ReconcileAsync(item.Key, cancellationToken);
            }
            finally
            {
                _queue.Done(item.Key);
            }
        }
    }

    private async Task ReconcileAsync(TKey key, CancellationToken cancellationToken)
    {
        using var keyContext = LogContext.PushProperty("Key", key.ToString());
        using var controllerContext = LogContext.PushProperty("Controller", Name);
        _metrics.ActiveWorkers.Inc();
        var started = _options.TimeProvider.GetTimestamp();
        try
        {
            var result = await _reconciler.ReconcileAsync(key, cancellationToken);
            if (result.RequeueAfterDelay is { } delay)
            {
                _queue.Forget(key);
                _queue.AddAfter(key, delay);
                _metrics.Reconciles("requeue_after").Inc();
                _log.Debug("Reconciled; again in {Delay}", delay);
            }
            else if (result.Requeue)
            {
                _queue.AddRateLimited(key);
                _metrics.Reconciles("requeue").Inc();
                _log.Debug("Reconciled; requeued with backoff (retry {Retries})", _queue.NumRequeues(key));
            }
            else
            {
                _queue.Forget(key);
                _metrics.Reconciles("success").Inc();
                _log.Debug("Reconciled");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the next leader or run picks the key up again.
            _log.Debug("Reconcile cancelled by shutdown");
        }
        catch (Exception e)
        {
            _queue.AddRateLimited(key);
            _metrics.Reconciles("error").Inc();
            _metrics.Errors.Inc();
            _log.Error(e, "Reconcile failed; retry {Retries} after backoff", _queue.NumRequeues(key));
        }
        finally
        {
            _metrics.Duration.Observe(_options.TimeProvider.GetElapsedTime(started).TotalSeconds);
            _metrics.ActiveWorkers.Dec();
        }
    }
}
