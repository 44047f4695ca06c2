namespace LlamaTrainer.Storage.Benchmark;

/// <summary>Checkpoint save and load throughput; MB are 10^6 bytes. Load includes SHA-256 verification.</summary>
public sealed record CheckpointBenchmarkResult(string Location, long Bytes, int Shards, TimeSpan Save, TimeSpan Load)
{
    public double SaveMegabytesPerSecond => Bytes / 1e6 / Save.TotalSeconds;

    public double LoadMegabytesPerSecond => Bytes / 1e6 / Load.TotalSeconds;
}
