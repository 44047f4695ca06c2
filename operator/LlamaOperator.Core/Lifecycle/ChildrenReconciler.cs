using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Level-based: compares the children the cache shows with what the decided status wants and emits only the
/// difference. Objects of any other stage go; the current gang is deleted while Restarting or Suspended and
/// created while Scheduling (once no pod of the old gang is left); the current stage's Service, ConfigMap and
/// PodGroup are repaired while Scheduling or Running when their rendered fields were edited, and re-created while
/// Running when deleted; the averaging pod is
/// created while Averaging. Objects are rendered from the effective job, once, and travel in the actions.
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
            context.Act(new CreateAveragingPod(AveragingPodRenderer.Render(context.Effective, context.Job, StagePlanner.Plan(context.Job, anneal.Name), AveragingStep.Command(anneal))));
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

        if (context.Phase is not (JobPhase.Scheduling or JobPhase.Running) || StageStarter.Current(context) is not { } resolved)
        {
            return;
        }

        var desired = StageRenderer.Objects(context.Effective, context.Job, resolved);
        var observed = context.Observation.Children.ObjectsOf(stage);
        foreach (var repaired in StageObjectRepair.Repairs(observed, desired))
        {
            context.Act(new RepairStageObject(stage, repaired));
        }

        var missing = StageObjectRepair.Missing(observed, desired).ToList();
        if (context.Phase == JobPhase.Running)
        {
            foreach (var recreated in missing)
            {
                context.Act(new RepairStageObject(stage, recreated));
            }
        }
        else if (!pods.Any(p => p.IsTerminating) && (missing.Count > 0 || pods.Count < resolved.Nodes))
        {
            var lengthIndex = context.Status.Stage!.LengthIndex ?? 0;
            var generation = context.Status.GangGeneration ?? 0;
            var gang = StageRenderer.Pods(context.Effective, context.Job, StagePlanner.Plan(context.Job, stage), lengthIndex, generation);
            var objects = new RenderedStage(desired.PodGroup, desired.ConfigMap, desired.Service, gang);
            context.Act(new CreateStageObjects(stage, lengthIndex, context.Status.LatestCheckpoint?.Uri, generation, objects));
        }
    }
}
