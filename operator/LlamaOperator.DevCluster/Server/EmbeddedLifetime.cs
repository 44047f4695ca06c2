using Microsoft.Extensions.Hosting;

namespace LlamaOperator.DevCluster.Server;

/// <summary>
/// A host lifetime that leaves the process alone: the embedded API server must not take over
/// Ctrl+C/SIGTERM (the default console lifetime would swallow them and stop only the web host).
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
