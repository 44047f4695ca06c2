namespace LlamaOperator.Operator.Tests.Support;

/// <summary>Counts the client's API writes (every request but GET) so tests can assert how many an operator made.</summary>
public sealed class RequestCounter : DelegatingHandler
{
    private readonly Lock _gate = new();
    private readonly List<string> _writes = [];

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
            lock (_gate)
            {
                _writes.Add($"{request.Method} {request.RequestUri?.AbsolutePath}");
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
