namespace LlamaOperator.DevCluster.Audit;

/// <summary>
/// An in-memory, thread-safe list of audited requests: pass <see cref="Record"/> as
/// <see cref="DevClusterOptions.Audit"/>, then read <see cref="Records"/> or <see cref="ByUser"/>.
/// </summary>
public sealed class AuditLog
{
    private readonly Lock _gate = new();
    private readonly List<AuditRecord> _records = [];

    public void Record(AuditRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }
    }

    /// <summary>A snapshot, in arrival order.</summary>
    public IReadOnlyList<AuditRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    public IReadOnlyList<AuditRecord> ByUser(string user) => Records.Where(r => r.User == user).ToList();
}
