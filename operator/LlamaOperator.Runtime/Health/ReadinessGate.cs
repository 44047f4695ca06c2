namespace LlamaOperator.Runtime.Health;

/// <summary>
/// What /readyz asks: every registered check must pass. The leader registers its informers' HasSynced
/// for the length of its term; a standby registers nothing and so is ready, as a standby should be.
/// </summary>
public sealed class ReadinessGate
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (string Name, Func<bool> IsReady)> _checks = [];
    private long _next;

    /// <summary>Adds a check until the returned handle is disposed.</summary>
    public IDisposable Register(string name, Func<bool> isReady)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            var id = _next++;
            _checks[id] = (name, isReady);
            return new Registration(this, id);
        }
    }

    /// <summary>The names of the checks that do not pass (empty when ready).</summary>
    public IReadOnlyList<string> NotReady()
    {
        List<(string Name, Func<bool> IsReady)> checks;
        lock (_gate)
        {
            checks = [.. _checks.Values];
        }

        return checks.Where(c => !SafeCheck(c.IsReady)).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
    }

    private static bool SafeCheck(Func<bool> check)
    {
        try
        {
            return check();
        }
        catch (Exception)
        {
            return false;
        }
    }

    private void Unregister(long id)
    {
        lock (_gate)
        {
            _checks.Remove(id);
        }
    }

    private sealed class Registration(ReadinessGate owner, long id) : IDisposable
    {
        public void Dispose() => owner.Unregister(id);
    }
}
