using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using LlamaOperator.TestSupport;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Azure;

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : ObjectStoreBehaviour
{
    protected override IObjectStore NewStore() =>
        ObjectStores.Open(azurite.NewContainerUrl("jobs/demo"), new BlobCredentials { ConnectionString = azurite.ConnectionString });

    [Fact]
    public async Task Objects_land_in_the_container_under_the_location_prefix()
    {
        var container = azurite.NewContainerUrl();
        var credentials = new BlobCredentials { ConnectionString = azurite.ConnectionString };
        var job = ObjectStores.Open(container + "/jobs/demo", credentials);
        await job.PutAsync("heartbeat.json", new MemoryStream([1]));

        var whole = ObjectStores.Open(container, credentials);
        var listed = new List<string>();
        await foreach (var info in whole.ListAsync(""))
        {
            listed.Add(info.Key);
        }

        Assert.Equal(["jobs/demo/heartbeat.json"], listed);
        Assert.Equal(container + "/jobs/demo", job.Location);
    }

    [Fact]
    public async Task A_wrong_account_key_fails_with_an_authorization_error()
    {
        var wrongKey = azurite.ConnectionString.Replace(AzuriteFixture.AccountKey, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);
        var store = ObjectStores.Open(azurite.NewContainerUrl(), new BlobCredentials { ConnectionString = wrongKey });

        var e = await Assert.ThrowsAsync<global::Azure.RequestFailedException>(() => store.PutAsync("a.bin", new MemoryStream([1])));
        Assert.Equal(403, e.Status);
    }

    [Fact]
    public async Task A_sas_token_given_as_a_credential_authorizes_the_store()
    {
        var url = azurite.NewContainerUrl();
        await ObjectStores.Open(url, new BlobCredentials { ConnectionString = azurite.ConnectionString }).PutBytesAsync("seed.bin", [1]);
        var sas = new BlobContainerClient(new Uri(url), new StorageSharedKeyCredential(AzuriteFixture.AccountName, AzuriteFixture.AccountKey))
            .GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1)).Query;

        var store = ObjectStores.Open(url + "/job", new BlobCredentials { SasToken = sas });
        await store.PutBytesAsync("a.bin", [2]);

        Assert.Equal([2], await store.GetBytesAsync("a.bin"));
        Assert.DoesNotContain("sig=", store.Location);
    }

    [Fact]
    public async Task Without_credentials_the_connection_string_comes_from_the_environment()
    {
        var url = azurite.NewContainerUrl("job");
        Environment.SetEnvironmentVariable(BlobCredentials.ConnectionStringVariable, azurite.ConnectionString);
        try
        {
            var store = ObjectStores.Open(url);
            await store.PutBytesAsync("a.bin", [3]);

            Assert.Equal([3], await store.GetBytesAsync("a.bin"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(BlobCredentials.ConnectionStringVariable, null);
        }
    }
}
