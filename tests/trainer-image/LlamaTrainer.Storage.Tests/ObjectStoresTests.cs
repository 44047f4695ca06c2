using LlamaTrainer.Storage.Azure;
using LlamaTrainer.Storage.Local;

namespace LlamaTrainer.Storage.Tests;

public sealed class ObjectStoresTests
{
    private const string AccountKey = "a2V5LW5vdC1yZWFsbHktc2VjcmV0LWJ1dC1rZXB0LW91dC1vZi1sb2dzLTEyMzQ1Njc4OTA=";

    [Fact]
    public void A_plain_path_opens_a_local_folder_with_an_absolute_root()
    {
        var store = Assert.IsType<LocalFolderStore>(ObjectStores.Open("some/relative/ckpt"));

        Assert.Equal(Path.GetFullPath("some/relative/ckpt"), store.Root);
    }

    [Fact]
    public void A_file_uri_opens_a_local_folder()
    {
        var store = Assert.IsType<LocalFolderStore>(ObjectStores.Open("file:///tmp/llama/ckpt"));

        Assert.Equal("/tmp/llama/ckpt", store.Root);
        Assert.Equal("file:///tmp/llama/ckpt", store.Location);
    }

    [Fact]
    public void An_azure_url_opens_a_blob_store_whose_location_is_the_url_without_secrets()
    {
        var credentials = new BlobCredentials { ConnectionString = $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AccountKey};EndpointSuffix=core.windows.net" };

        var store = ObjectStores.Open("https://acct.blob.core.windows.net/ckpt/team/job-1", credentials);

        Assert.IsType<AzureBlobStore>(store);
        Assert.Equal("https://acct.blob.core.windows.net/ckpt/team/job-1", store.Location);
        Assert.DoesNotContain(AccountKey, store.Location);
    }

    [Fact]
    public void A_location_carrying_a_sas_token_is_rejected_without_echoing_it()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ObjectStores.Open("https://acct.blob.core.windows.net/ckpt/job?sv=2024-01-01&sig=TOPSECRET", new BlobCredentials { SasToken = "x" }));

        Assert.Contains("SAS", e.Message);
        Assert.Contains(BlobCredentials.SasTokenVariable, e.Message);
        Assert.DoesNotContain("TOPSECRET", e.Message);
    }

    [Fact]
    public void A_connection_string_for_another_account_is_rejected_naming_both_accounts_but_not_the_key()
    {
        var credentials = new BlobCredentials { ConnectionString = $"AccountName=other;AccountKey={AccountKey}" };

        var e = Assert.Throws<ArgumentException>(() => ObjectStores.Open("https://acct.blob.core.windows.net/ckpt", credentials));

        Assert.Contains("'other'", e.Message);
        Assert.Contains("'acct'", e.Message);
        Assert.DoesNotContain(AccountKey, e.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_reported_without_its_content()
    {
        var credentials = new BlobCredentials { ConnectionString = "AccountName=acct;garbage-with-secret" };

        var e = Assert.Throws<FormatException>(() => ObjectStores.Open("https://acct.blob.core.windows.net/ckpt", credentials));

        Assert.Contains("connection string", e.Message);
        Assert.DoesNotContain("garbage-with-secret", e.Message);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/", "names no container")]
    [InlineData("ftp://host/ckpt", "scheme 'ftp'")]
    [InlineData("https://acct.blob.core.windows.net/ckpt/a//b", "empty segment")]
    public void Bad_locations_are_rejected_saying_what_was_expected(string location, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectStores.Open(location, new BlobCredentials { SasToken = "sv=1" }));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Without_any_secret_the_store_opens_for_workload_identity()
    {
        var store = ObjectStores.Open("https://acct.blob.core.windows.net/ckpt/job", new BlobCredentials());

        Assert.Equal("https://acct.blob.core.windows.net/ckpt/job", store.Location);
    }
}
