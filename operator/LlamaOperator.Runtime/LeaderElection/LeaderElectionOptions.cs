using Serilog;

namespace LlamaOperator.Runtime.LeaderElection;

public sealed class LeaderElectionOptions
{
    /// <summary>Namespace of the coordination.k8s.io Lease.</summary>
    public required string LeaseNamespace { get; init; }

    public required string LeaseName { get; init; }

    /// <summary>Who holds the lease; unique per process (see <see cref="LeaderIdentity.Create"/>).</summary>
    public string Identity { get; init; } = LeaderIdentity.Create();

    /// <summary>How long a lease stays valid without renewal; standbys wait this long before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it gives up leadership.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait between acquire/renew attempts.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>On shutdown, clear the holder so a standby takes over at once instead of after LeaseDuration.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    public ILogger? Logger { get; init; }

    internal void Validate()
    {
        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"LeaseDuration must be at least 1 s (the Lease stores whole seconds), not {LeaseDuration}.", nameof(LeaseDuration));
        }

        if (RenewDeadline >= LeaseDuration)
        {
            throw new ArgumentException($"RenewDeadline ({RenewDeadline}) must be shorter than LeaseDuration ({LeaseDuration}).", nameof(RenewDeadline));
        }

        if (RetryPeriod <= TimeSpan.Zero || RetryPeriod >= RenewDeadline)
        {
            throw new ArgumentException($"RetryPeriod ({RetryPeriod}) must be positive and shorter than RenewDeadline ({RenewDeadline}).", nameof(RetryPeriod));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Identity, nameof(Identity));
    }
}
