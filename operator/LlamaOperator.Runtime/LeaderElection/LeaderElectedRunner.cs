using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Serilog;

namespace LlamaOperator.Runtime.LeaderElection;

/// <summary>
/// Runs work only while this process holds the leader lease (KubernetesClient's LeaderElector): the work
/// starts when leadership is acquired and is cancelled, and awaited, when it is lost; then the runner
/// stands by and competes again. Each term calls the work function anew, so it must build fresh
/// informers, queues and controllers.
/// </summary>
public sealed class LeaderElectedRunner
{
    private readonly ILock _lock;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _log;
    private volatile bool _isLeader;
    private volatile string? _leader;

    public LeaderElectedRunner(ILock leaseLock, LeaderElectionOptions options)
    {
        options.Validate();
        if (leaseLock.Identity != options.Identity)
        {
            throw new ArgumentException($"The lock's identity '{leaseLock.Identity}' differs from options.Identity '{options.Identity}'.", nameof(leaseLock));
        }

        _lock = leaseLock;
        _options = options;
        _log = (options.Logger ?? Log.Logger).ForContext<LeaderElectedRunner>().ForContext("LeaderIdentity", options.Identity);
    }

    public string Identity => _options.Identity;

    public bool IsLeader => _isLeader;

    /// <summary>The holder this process last observed, or null before the first observation.</summary>
    public string? CurrentLeader => _leader;

    /// <summary>A runner competing for a coordination.k8s.io Lease.</summary>
    public static LeaderElectedRunner ForLease(IKubernetes client, LeaderElectionOptions options) =>
        new(new LeaseLock(client, options.LeaseNamespace, options.LeaseName, options.Identity), options);

    /// <summary>Competes for leadership until cancelled, running <paramref name="whileLeading"/> during each term.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await RunTermAsync(whileLeading, cancellationToken);
            if (!cancellationToken.IsCancellationRequested)
            {
                // Lost the lease or the work ended: stand by briefly before competing again.
                await DelayQuietly(_options.RetryPeriod, cancellationToken);
            }
        }
    }

    private async Task RunTermAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        using var elector = new LeaderElector(new LeaderElectionConfig(_lock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });
        using var electing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? work = null;
        elector.OnNewLeader += leader =>
        {
            _leader = leader;
            _log.Information("Leader is now {Leader}", leader);
        };
        elector.OnError += e => _log.Warning(e, "Leader election error");
        elector.OnStartedLeading += () =>
        {
            _isLeader = true;
            _leader = _options.Identity;
            _log.Information("Started leading");
            work = Task.Run(() => whileLeading(term.Token), CancellationToken.None);
            // Work that ends on its own (a crash) gives up the term, so another replica can lead.
            work.ContinueWith(_ => electing.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        };
        elector.OnStoppedLeading += () =>
        {
            _isLeader = false;
            term.Cancel();
        };

        try
        {
            await elector.RunUntilLeadershipLostAsync(electing.Token);
        }
        catch (OperationCanceledException) when (electing.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The API server unreachable or refusing: stay a standby and try again rather than die.
            _log.Warning(e, "Leader election failed; retrying in {RetryPeriod}", _options.RetryPeriod);
        }

        _isLeader = false;
        await term.CancelAsync();
        if (work is not null)
        {
            _log.Information("Stopped leading; waiting for the work to stop");
            try
            {
                await work;
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                _log.Error(e, "The leader's work failed");
            }

            if (_options.ReleaseOnCancel && cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync();
            }
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_options.RenewDeadline);
            var record = await _lock.GetAsync(timeout.Token);
            if (record.HolderIdentity != _options.Identity)
            {
                return;
            }

            var now = DateTime.UtcNow;
            await _lock.UpdateAsync(
                new LeaderElectionRecord
                {
                    HolderIdentity = "",
                    LeaseDurationSeconds = 1,
                    AcquireTime = now,
                    RenewTime = now,
                    LeaderTransitions = record.LeaderTransitions,
                },
                timeout.Token);
            _log.Information("Released the lease");
        }
        catch (Exception e)
        {
            _log.Warning(e, "Could not release the lease; it expires after {LeaseDuration}", _options.LeaseDuration);
        }
    }

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
