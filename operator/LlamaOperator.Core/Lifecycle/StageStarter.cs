using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// Points the status at a stage (and LongContext length) with that stage's own parallel layout. The children rules
/// then tear down what belongs to the previous gang and create the new one.
/// </summary>
internal static class StageStarter
{
    /// <remarks>A LongContext length change keeps the stage's startedWith: the next length is part of the same running stage.</remarks>
    public static void Start(DecisionContext context, ResolvedStage stage, int lengthIndex, JobPhase phase, string reason, string message)
    {
        var samePin = context.Status.Stage is { } running && running.Name == stage.Name && lengthIndex > 0;
        var startedWith = samePin
            ? context.Status.Stage!.StartedWith
            : context.Observation.Job.Spec.Stages.FirstOrDefault(s => s.Name == stage.Name) is { } spec ? RunningStagePin.Clone(spec) : null;
        context.Status.Stage = new StageStatus
        {
            Index = stage.Index,
            Name = stage.Name,
            Type = stage.Type,
            SequenceLength = stage.SequenceLengths[lengthIndex],
            LengthIndex = stage.Type == StageType.LongContext ? lengthIndex : null,
            StartTime = context.Now,
            StartedWith = startedWith,
        };
        var p = stage.Parallelism;
        context.Status.Topology = new TopologyStatus { WorldSize = p.WorldSize, Nodes = stage.Nodes, Tp = p.Tp, Cp = p.Cp, Pp = p.Pp, Dp = p.Dp };
        (context.Status.Restarts ??= new RestartStatus()).Consecutive = 0;
        context.Status.StartTime ??= context.Now;
        if (!samePin)
        {
            context.Repin();
        }

        context.Transition(phase, reason, message);
    }

    /// <summary>
    /// The running stage as the current spec has it, found by name so that edits of the stage list around it do not
    /// move it; null when the spec no longer has it.
    /// </summary>
    public static ResolvedStage? Current(DecisionContext context) =>
        context.Status.Stage is { } s ? context.Job.Stages.FirstOrDefault(x => x.Name == s.Name) : null;
}
