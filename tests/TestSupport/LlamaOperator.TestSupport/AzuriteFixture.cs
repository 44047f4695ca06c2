using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace LlamaOperator.TestSupport;

/// <summary>
/// Runs Azurite's blob service (in memory, on a free port) for a test collection and stops it afterwards.
/// Use with <c>[CollectionDefinition] class X : ICollectionFixture&lt;AzuriteFixture&gt;</c>.
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime, IDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented by Microsoft).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>http://127.0.0.1:PORT/devstoreaccount1</summary>
    public string BlobEndpoint { get; private set; } = "";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>A fresh container's URL (optionally with a prefix), so tests never see each other's blobs.</summary>
    public string NewContainerUrl(string prefix = "") =>
        $"{BlobEndpoint}/t{Guid.NewGuid():N}" + (prefix.Length == 0 ? "" : "/" + prefix);

    public async Task InitializeAsync()
    {
        var binary = Path.Combine(RepoRoot.Find(), ".tools", "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException($"Azurite is not installed at {binary}; run tests/setup-tools.sh first", binary);
        }
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--skipApiVersionCheck" })
        {
            start.ArgumentList.Add(arg);
        }
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, listening);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, listening);
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"Azurite exited before listening:\n{Output()}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            var url = await listening.Task.WaitAsync(StartTimeout);
            BlobEndpoint = url.TrimEnd('/') + "/" + AccountName;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Azurite did not listen within {StartTimeout.TotalSeconds} s:\n{Output()}");
        }
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _process = null;
    }

    private void OnLine(string? line, TaskCompletionSource<string> listening)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(match.Groups[1].Value);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    [GeneratedRegex(@"listens on (http://\S+)")]
    private static partial Regex ListeningLine();
}
