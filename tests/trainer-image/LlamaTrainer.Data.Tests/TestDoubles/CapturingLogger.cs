using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace LlamaTrainer.Data.Tests.TestDoubles;

/// <summary>A Serilog logger whose events the test can read back.</summary>
public sealed class CapturingLogger : ILogEventSink
{
    private readonly List<LogEvent> _events = [];

    public CapturingLogger()
    {
        Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();
    }

    public ILogger Logger { get; }

    public IReadOnlyList<string> Messages(LogEventLevel level)
    {
        lock (_events)
        {
            return [.. _events.Where(e => e.Level == level).Select(e => e.RenderMessage())];
        }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
        }
    }
}
