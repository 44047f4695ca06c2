namespace LlamaOperator.Runtime.Controllers;

/// <summary>
/// Brings the world in line with the desired state of the object named by <paramref name="key"/>. Must be
/// idempotent and level-based: it is called with a key, not an event, and may be called any number of times.
/// </summary>
public interface IReconciler<in TKey>
{
    Task<ReconcileResult> ReconcileAsync(TKey key, CancellationToken cancellationToken);
}
