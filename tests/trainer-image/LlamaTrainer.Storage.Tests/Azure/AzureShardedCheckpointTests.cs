using LlamaOperator.TestSupport;
using LlamaTrainer.Storage.Tests.Checkpoints;

namespace LlamaTrainer.Storage.Tests.Azure;

[Collection(AzuriteCollection.Name)]
public sealed class AzureShardedCheckpointTests(AzuriteFixture azurite) : ShardedCheckpointBehaviour
{
    protected override IObjectStore NewStore() =>
        ObjectStores.Open(azurite.NewContainerUrl("jobs/demo"), new BlobCredentials { ConnectionString = azurite.ConnectionString });
}
