using k8s;
using k8s.Models;
using LlamaOperator.Runtime.LeaderElection;
using LlamaOperator.Runtime.Tests.Cluster;

namespace LlamaOperator.Runtime.Tests.LeaderElection;

/// <summary>Two replicas competing for a coordination.k8s.io Lease on the embedded API server.</summary>
[Trait("Category", "Slow")]
public sealed class LeaderElectedRunnerOverHttpTests(DevClusterFixture fixture) : IClassFixture<DevClusterFixture>
{
    [Fact]
    public async Task One_of_two_replicas_leads_and_the_other_takes_over_when_the_leader_shuts_down()
    {
        var ns = await fixture.NewNamespaceAsync();
        await using var a = new Replica(fixture.Client, ns, "a");
        await using var b = new Replica(fixture.Client, ns, "b");

        await Eventually.HoldsAsync(() => a.Runner.IsLeader || b.Runner.IsLeader, "a leader");
        var (leader, standby) = a.Runner.IsLeader ? (a, b) : (b, a);
        await Task.Delay(TimeSpan.FromSeconds(1)); // several retry periods: the standby must stay standby
        Assert.False(standby.Runner.IsLeader);
        Assert.Equal(1, leader.Terms);
        Assert.Equal(0, standby.Terms);
        Assert.Equal(leader.Runner.Identity, standby.Runner.CurrentLeader);
        var lease = await fixture.Client.CoordinationV1.ReadNamespacedLeaseAsync("runtime-test", ns);
        Assert.Equal(leader.Runner.Identity, lease.Spec.HolderIdentity);

        await leader.StopAsync();

        Assert.True(leader.WorkWasCancelled);
        await Eventually.HoldsAsync(() => standby.Runner.IsLeader && standby.Terms == 1, "the standby to take over");
    }

    [Fact]
    public async Task A_leader_that_loses_the_lease_stops_its_work()
    {
        var ns = await fixture.NewNamespaceAsync();
        await using var a = new Replica(fixture.Client, ns, "a");
        await Eventually.HoldsAsync(() => a.Runner.IsLeader, "a to lead");

        // Someone else takes the lease (as after a network partition): renewals fail, leadership ends.
        var lease = await fixture.Client.CoordinationV1.ReadNamespacedLeaseAsync("runtime-test", ns);
        lease.Spec.HolderIdentity = "intruder";
        lease.Spec.LeaseDurationSeconds = 3600;
        lease.Spec.RenewTime = DateTime.UtcNow;
        await fixture.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "runtime-test", ns);

        await Eventually.HoldsAsync(() => !a.Runner.IsLeader && a.WorkWasCancelled, "a to stop leading and cancel its work");
        Assert.Equal("intruder", a.Runner.CurrentLeader);
    }

    [Fact]
    public async Task An_unreachable_api_server_leaves_the_runner_standing_by_instead_of_failing()
    {
        // Port 1 on loopback: connection refused on every attempt.
        using var unreachable = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        await using var replica = new Replica(unreachable, "default", "lonely");

        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.False(replica.Runner.IsLeader);
        Assert.False(replica.IsFinished);
        Assert.Equal(0, replica.Terms);
    }

    [Fact]
    public void Durations_that_cannot_work_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => LeaderElectedRunner.ForLease(fixture.Client, new LeaderElectionOptions
        {
            LeaseNamespace = "default",
            LeaseName = "x",
            LeaseDuration = TimeSpan.FromSeconds(10),
            RenewDeadline = TimeSpan.FromSeconds(10),
        }));
        Assert.Equal("RenewDeadline", error.ParamName);
    }

    [Fact]
    public void Identities_are_unique_per_process_start()
    {
        Assert.NotEqual(LeaderIdentity.Create(), LeaderIdentity.Create());
        Assert.StartsWith(Environment.MachineName, LeaderIdentity.Create(), StringComparison.Ordinal);
    }

    private sealed class Replica : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;
        private int _terms;
        private volatile bool _workWasCancelled;

        public Replica(IKubernetes client, string ns, string name)
        {
            Runner = LeaderElectedRunner.ForLease(client, new LeaderElectionOptions
            {
                LeaseNamespace = ns,
                LeaseName = "runtime-test",
                Identity = $"{name}_{Guid.NewGuid():N}",
                LeaseDuration = TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromSeconds(1),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            });
            _run = Runner.RunAsync(WorkAsync, _stop.Token);
        }

        public LeaderElectedRunner Runner { get; }

        public int Terms => Volatile.Read(ref _terms);

        public bool WorkWasCancelled => _workWasCancelled;

        public bool IsFinished => _run.IsCompleted;

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task WorkAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _terms);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                _workWasCancelled = cancellationToken.IsCancellationRequested;
            }
        }
    }
}
