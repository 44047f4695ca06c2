namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>The resources the scheduler counts: GPUs (nvidia.com/gpu), CPU (cores) and memory (bytes).</summary>
public readonly record struct ComputeResources(decimal Gpus, decimal Cpu, decimal Memory)
{
    public static ComputeResources operator +(ComputeResources a, ComputeResources b) => new(a.Gpus + b.Gpus, a.Cpu + b.Cpu, a.Memory + b.Memory);

    public static ComputeResources operator -(ComputeResources a, ComputeResources b) => new(a.Gpus - b.Gpus, a.Cpu - b.Cpu, a.Memory - b.Memory);

    public bool Fits(ComputeResources request) => request.Gpus <= Gpus && request.Cpu <= Cpu && request.Memory <= Memory;
}
