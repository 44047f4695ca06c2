using Serilog;

namespace LlamaOperator.Runtime.Informers;

public sealed class InformerOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>First wait after a failed list or watch; doubles per failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A watch that ends sooner than this without any event counts as a failure (no hot relist loop).</summary>
    public TimeSpan MinWatchDuration { get; init; } = TimeSpan.FromSeconds(1);

    public ILogger? Logger { get; init; }
}
