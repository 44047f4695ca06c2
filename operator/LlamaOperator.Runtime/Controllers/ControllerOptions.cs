using Serilog;

namespace LlamaOperator.Runtime.Controllers;

public sealed class ControllerOptions
{
    /// <summary>How many keys are reconciled at once (never the same key twice).</summary>
    public int Workers { get; init; } = 1;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ControllerMetrics? Metrics { get; init; }

    public ILogger? Logger { get; init; }
}
