namespace LlamaTrainer.Storage.Azure;

/// <summary>
/// The parts of an Azure Storage connection string that authenticate: account name plus key or SAS.
/// The location (endpoint, container, prefix) comes from the store URI, so one secret serves any container.
/// Errors never echo the string: it is a secret.
/// </summary>
public sealed record StorageConnectionString(string AccountName, string? AccountKey, string? SharedAccessSignature)
{
    /// <summary>Azurite's well-known development account (public, documented by Microsoft).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <param name="source">Where the string came from (e.g. the variable name), for error messages.</param>
    public static StorageConnectionString Parse(string connectionString, string source)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"{source}: connection string has a part without 'name=value'; expected e.g. 'AccountName=...;AccountKey=...'");
            }
            parts[part[..eq]] = part[(eq + 1)..];
        }
        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageConnectionString(DevelopmentAccountName, DevelopmentAccountKey, null);
        }
        var sas = parts.GetValueOrDefault("SharedAccessSignature");
        if (!parts.TryGetValue("AccountName", out var account) || account.Length == 0)
        {
            // A SAS connection string may name only the endpoint; the account then comes from the store URI.
            return sas is null
                ? throw new FormatException($"{source}: connection string has no AccountName (and no SharedAccessSignature)")
                : new StorageConnectionString("", null, sas);
        }
        var key = parts.GetValueOrDefault("AccountKey");
        if (key is null && sas is null)
        {
            throw new FormatException($"{source}: connection string for account '{account}' has neither AccountKey nor SharedAccessSignature");
        }
        return new StorageConnectionString(account, key, sas);
    }
}
