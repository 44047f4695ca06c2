using System.Net;
using k8s.Autorest;
using Serilog;

namespace LlamaOperator.Operator.Hosting;

/// <summary>
/// Probes a kind the operator can do without (a PodGroup CRD that is not installed, nodes the RBAC does not let it
/// list) with a one-item list: an informer on it would never sync and so hold back every controller.
/// </summary>
internal static class OptionalKind
{
    public static async Task<bool> IsServedAsync(string what, Func<CancellationToken, Task> listOne, ILogger log, CancellationToken cancellationToken)
    {
        try
        {
            await listOne(cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            log.Warning("Not watching {Kind}: the API server answered {Status}; going on without it", what, (int)e.Response.StatusCode);
            return false;
        }
    }
}
