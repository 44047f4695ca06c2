using LlamaTrainer.Parallel;
using Serilog;
using Serilog.Formatting.Compact;

namespace LlamaTrainer.Cli;

/// <summary>
/// Serilog to stderr: readable text, or compact JSON (one event per line) for log collectors when LLAMA_LOG_FORMAT=json.
/// Every event carries the process's Rank (its global rank; a launcher pushes "launcher" for its own lines), so the
/// lines of a gang's processes can be told apart in one pod log.
/// </summary>
internal static class Logging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] rank {Rank}: {Message:lj}{NewLine}{Exception}";

    public static ILogger Create(DistributedEnvironment? environment = null)
    {
        var rank = (environment?.Rank ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var configuration = new LoggerConfiguration().MinimumLevel.Information().Enrich.FromLogContext().Enrich.WithProperty("Rank", rank);
        configuration = Environment.GetEnvironmentVariable("LLAMA_LOG_FORMAT") == "json"
            ? configuration.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose)
            : configuration.WriteTo.Console(outputTemplate: TextTemplate, standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        return Log.Logger = configuration.CreateLogger();
    }
}
