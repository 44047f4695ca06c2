using LlamaTrainer.Storage;

namespace LlamaTrainer.Data.Sampling;

/// <summary>A prepared source (a store whose root holds index.json) and its default mixing weight.</summary>
public sealed record SamplerSource(string Name, IObjectStore Store, double Weight);
