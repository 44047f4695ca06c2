namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>The resources the scheduler counts: GPUs (nvidia.com/gpu), CPU (cores) and memory (bytes).</summary>
public readonly record struct Resources(decimal Gpus, decimal Cpu, decimal Memory)
{
    public static Resources operator +(Resources a, Resources b) => new(a.Gpus + b.Gpus, a.Cpu + b.Cpu, a.Memory + b.Memory);

    public static Resources operator -(Resources a, Resources b) => new(a.Gpus - b.Gpus, a.Cpu - b.Cpu, a.Memory - b.Memory);

    public bool Fits(Resources request) => request.Gpus <= Gpus && request.Cpu <= Cpu && request.Memory <= Memory;
}
