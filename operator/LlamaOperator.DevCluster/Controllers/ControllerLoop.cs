using System.Threading.Channels;
using LlamaOperator.DevCluster.Store;
using Serilog;

namespace LlamaOperator.DevCluster.Controllers;

/// <summary>Feeds a controller every store change in order; a failing change is logged and the loop goes on.</summary>
internal static class ControllerLoop
{
    public static Task Run(string name, ChannelReader<StoreChange> changes, Action<StoreChange> handle, ILogger logger, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            try
            {
                await foreach (var change in changes.ReadAllAsync(cancellationToken))
                {
                    try
                    {
                        handle(change);
                    }
                    catch (ApiException e) when (e.Code is 404 or 409)
                    {
                        // The object moved on under us; the next change will bring the controller back to it.
                    }
                    catch (Exception e)
                    {
                        logger.Error(e, "{Controller} failed on {Kind} {Namespace}/{Name}", name, change.Object.Ref.Kind.Kind, change.Object.Namespace, change.Object.Name);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Shutting down.
            }
        }, CancellationToken.None);
}
