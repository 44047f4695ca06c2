using LlamaTrainer.Storage.Azure;

namespace LlamaTrainer.Storage.Tests.Azure;

public sealed class StorageConnectionStringTests
{
    [Fact]
    public void An_account_key_string_yields_the_account_and_key()
    {
        var parsed = StorageConnectionString.Parse("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5==;EndpointSuffix=core.windows.net", "test");

        Assert.Equal(new StorageConnectionString("acct", "a2V5==", null), parsed);
    }

    [Fact]
    public void A_sas_string_without_an_account_name_is_accepted()
    {
        var parsed = StorageConnectionString.Parse("BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2024&sig=abc", "test");

        Assert.Equal(new StorageConnectionString("", null, "sv=2024&sig=abc"), parsed);
    }

    [Fact]
    public void Development_storage_means_the_azurite_account()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true", "test");

        Assert.Equal(StorageConnectionString.DevelopmentAccountName, parsed.AccountName);
        Assert.Equal(StorageConnectionString.DevelopmentAccountKey, parsed.AccountKey);
    }

    [Theory]
    [InlineData("AccountName=acct", "neither AccountKey nor SharedAccessSignature")]
    [InlineData("AccountKey=c2VjcmV0", "no AccountName")]
    public void Incomplete_strings_say_what_is_missing_without_echoing_secrets(string connectionString, string expected)
    {
        var e = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString, "AZURE_STORAGE_CONNECTION_STRING"));

        Assert.Contains(expected, e.Message);
        Assert.StartsWith("AZURE_STORAGE_CONNECTION_STRING:", e.Message);
        Assert.DoesNotContain("c2VjcmV0", e.Message);
    }
}
