using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests;

internal static class TorchThreads
{
    // Test models are tiny and xunit runs classes in parallel on a shared 2-core machine: intra-op threads would
    // only fight each other (OpenMP spin-waits on an oversubscribed CPU cost seconds per step).
    [ModuleInitializer]
    internal static void OneThreadPerOp() => set_num_threads(1);
}
