using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace LlamaOperator.Cli.Running;

/// <summary>The operator's Serilog logger: console, text for people or compact JSON for log pipelines, with log-context properties (Job, Stage, Controller, Key).</summary>
internal static class OperatorLogger
{
    public static readonly string[] Levels = ["Verbose", "Debug", "Information", "Warning", "Error"];
    public static readonly string[] Formats = ["text", "json"];

    private const string Template = "[{Timestamp:HH:mm:ss} {Level:u3}] {Job} {Stage} {Message:lj}{NewLine}{Exception}";

    public static Logger Create(string level, string format)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(Enum.Parse<LogEventLevel>(level))
            // The Kestrel health server and HTTP clients are chatty below Warning.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext();
        return (format == "json" ? configuration.WriteTo.Console(new RenderedCompactJsonFormatter()) : configuration.WriteTo.Console(outputTemplate: Template)).CreateLogger();
    }
}
