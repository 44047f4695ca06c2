using Serilog;
using Serilog.Formatting.Compact;

namespace LlamaTrainer.Cli;

/// <summary>Serilog to stderr: readable text, or compact JSON (one event per line) for log collectors when LLAMA_LOG_FORMAT=json.</summary>
internal static class Logging
{
    public static ILogger Create()
    {
        var configuration = new LoggerConfiguration().MinimumLevel.Information().Enrich.FromLogContext();
        configuration = Environment.GetEnvironmentVariable("LLAMA_LOG_FORMAT") == "json"
            ? configuration.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose)
            : configuration.WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        return Log.Logger = configuration.CreateLogger();
    }
}
