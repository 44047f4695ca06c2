namespace LlamaTrainer.Storage.Progress;

/// <summary>
/// The trainer's latest progress report (heartbeat.json, overwritten every few steps). The operator shows it in job
/// status and restarts a gang whose heartbeat stops advancing. Holds nothing secret: host name and pid only.
/// </summary>
public sealed record Heartbeat
{
    public required long Step { get; init; }

    /// <summary>Tokens consumed over the whole job.</summary>
    public required long Tokens { get; init; }

    public required string Stage { get; init; }

    public required int StageIndex { get; init; }

    public int? LengthIndex { get; init; }

    /// <summary>Tokens consumed in this stage (or this LongContext length): the operator's per-stage progress.</summary>
    public long StageTokens { get; init; }

    public required int SequenceLength { get; init; }

    public double Loss { get; init; }

    public double LearningRate { get; init; }

    public double TokensPerSecond { get; init; }

    public double? Mfu { get; init; }

    /// <summary>UTC time of the report.</summary>
    public required DateTime Time { get; init; }

    public int Pid { get; init; }

    public string Host { get; init; } = "";

    public required TrainerState State { get; init; }
}
