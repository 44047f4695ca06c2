namespace LlamaTrainer.Collectives;

/// <summary>Point-to-point transfers started together by <see cref="ICommunicator.Start"/>.</summary>
public interface IPendingTransfers
{
    /// <summary>
    /// Returns once transfer <paramref name="index"/> (of the list started) is done, or throws a
    /// <see cref="CollectiveException"/> within the group's timeout, counted from this call. Wait for each transfer once.
    /// </summary>
    void Wait(int index);
}

/// <summary>Transfers that were done when started (none at all, or a group of one).</summary>
public sealed class NoPendingTransfers : IPendingTransfers
{
    public static readonly NoPendingTransfers Instance = new();

    public void Wait(int index)
    {
    }
}
