using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Level-based: compares the children the cache shows with what the decided status wants and emits only the
/// difference. Objects of any other stage go; the current gang is deleted while Restarting or Suspended and
/// created while Scheduling (once no pod of the old gang is left); the averaging pod is created while Averaging.
/// </summary>
internal static class ChildrenReconciler
{
    public static void Apply(DecisionContext context)
    {
        var children = context.Observation.Children;
        var phase = context.Phase;
        var keep = phase is JobPhase.Scheduling or JobPhase.Running or JobPhase.Restarting or JobPhase.Suspended ? context.Status.Stage?.Name : null;

        var others = children.Pods.Where(p => !p.IsTerminating).Select(p => p.Stage)
            .Concat(children.StageObjects.Where(o => o.Any).Select(o => o.Stage))
            .Where(s => s != keep)
            .Distinct()
            .Order(StringComparer.Ordinal);
        foreach (var stage in others)
        {
            context.Act(new DeleteStageObjects(stage));
        }

        if (keep is not null)
        {
            ReconcileGang(context, keep);
        }

        if (phase == JobPhase.Averaging && children.AveragingPod is null && StageStarter.Current(context) is { Averaging: not null } anneal)
        {
            context.Act(new CreateAveragingPod(AveragingStep.Command(anneal)));
        }
    }

    private static void ReconcileGang(DecisionContext context, string stage)
    {
        var pods = context.Observation.Children.PodsOf(stage).ToList();
        if (context.Phase is JobPhase.Restarting or JobPhase.Suspended)
        {
            if (pods.Any(p => !p.IsTerminating))
            {
                context.Act(new DeleteGang(stage));
            }

            return;
        }

        if (context.Phase != JobPhase.Scheduling || pods.Any(p => p.IsTerminating) || StageStarter.Current(context) is not { } resolved)
        {
            return;
        }

        var objects = context.Observation.Children.ObjectsOf(stage);
        if (objects?.Complete != true || pods.Count < resolved.Nodes)
        {
            context.Act(new CreateStageObjects(resolved.Index, stage, context.Status.Stage!.LengthIndex ?? 0, context.Status.LatestCheckpoint?.Uri, context.Status.GangGeneration ?? 0));
        }
    }
}
