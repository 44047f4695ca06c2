using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>Scheduling -> Running once every pod of the gang runs (gang scheduling places all of them or none).</summary>
internal static class GangStartup
{
    public static void Apply(DecisionContext context, ResolvedStage stage)
    {
        if (context.Phase != JobPhase.Scheduling)
        {
            return;
        }

        var running = context.Observation.Children.PodsOf(stage.Name).Count(p => p.Phase == ObservedPodPhase.Running && !p.IsTerminating);
        if (running >= stage.Nodes)
        {
            context.Transition(JobPhase.Running, "GangRunning", $"all {stage.Nodes} pods of stage {stage.Name} are running");
        }
    }
}
