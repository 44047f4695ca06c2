using LlamaOperator.TestSupport;
using LlamaTrainer.Storage.Tests.Progress;

namespace LlamaTrainer.Storage.Tests.Azure;

[Collection(AzuriteCollection.Name)]
public sealed class AzureProgressTests(AzuriteFixture azurite) : ProgressBehaviour
{
    protected override IObjectStore NewStore() =>
        ObjectStores.Open(azurite.NewContainerUrl("jobs/demo"), new BlobCredentials { ConnectionString = azurite.ConnectionString });
}
