namespace LlamaOperator.Operator.Tests.Support;

/// <summary>
/// Counts the client's API writes (every request but GET) so tests can assert how many an operator made; it can also
/// answer one chosen write with 409 Conflict, as the API server does for a write on a stale resourceVersion.
/// </summary>
public sealed class RequestCounter : DelegatingHandler
{
    private readonly Lock _gate = new();
    private readonly List<string> _writes = [];
    private string? _conflictOn;
    private readonly TaskCompletionSource<string> _conflicted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the write answered 409 by <see cref="ConflictOnce"/>.</summary>
    public Task<string> Conflicted => _conflicted.Task;

    /// <summary>Answers the next write whose path ends with <paramref name="pathSuffix"/> with 409 Conflict, without sending it.</summary>
    public void ConflictOnce(string pathSuffix)
    {
        lock (_gate)
        {
            _conflictOn = pathSuffix;
        }
    }

    public IReadOnlyList<string> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _writes.Clear();
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Get)
        {
            var write = $"{request.Method} {request.RequestUri?.AbsolutePath}";
            lock (_gate)
            {
                _writes.Add(write);
                if (_conflictOn is { } suffix && write.EndsWith(suffix, StringComparison.Ordinal))
                {
                    _conflictOn = null;
                    _conflicted.SetResult(write);
                    return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.Conflict)
                    {
                        RequestMessage = request,
                        Content = new StringContent(
                            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":\"the object has been modified\"}",
                            System.Text.Encoding.UTF8,
                            "application/json"),
                    });
                }
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
