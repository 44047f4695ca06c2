using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace LlamaOperator.Runtime.Tests;

internal sealed class CollectingSink : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
}
