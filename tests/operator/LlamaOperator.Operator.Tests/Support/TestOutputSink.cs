using Serilog;
using Serilog.Core;
using Serilog.Events;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>The operator's log lines in the test's output, with the Job property, for diagnosing a failure.</summary>
public sealed class TestOutputSink(ITestOutputHelper output) : ILogEventSink
{
    public static ILogger Logger(ITestOutputHelper output, string name) =>
        new LoggerConfiguration().MinimumLevel.Debug().Enrich.FromLogContext().Enrich.WithProperty("Operator", name).WriteTo.Sink(new TestOutputSink(output)).CreateLogger();

    public void Emit(LogEvent logEvent)
    {
        var job = logEvent.Properties.TryGetValue("Job", out var value) ? value.ToString() : "";
        try
        {
            output.WriteLine($"{logEvent.Timestamp:HH:mm:ss.fff} {logEvent.Level} {logEvent.Properties.GetValueOrDefault("Operator")} {job} {logEvent.RenderMessage()} {logEvent.Exception?.Message}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; its output is closed.
        }
    }
}
