using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace LlamaTrainer.Storage.Tests.Support;

/// <summary>A Serilog logger whose events the test can read back, rendered as text.</summary>
public sealed class CapturedLog : ILogEventSink
{
    private readonly List<LogEvent> _events = [];

    public CapturedLog() => Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public ILogger Logger { get; }

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_events)
            {
                return _events.Where(e => e.Level == LogEventLevel.Warning).Select(e => e.RenderMessage()).ToList();
            }
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
