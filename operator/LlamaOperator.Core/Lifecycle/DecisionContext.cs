using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Core.Lifecycle;

/// <summary>
/// The working state of one Decide call: the observation, a private copy of the status that the rules edit, and the
/// actions, events and requeue they collect. Transition moves the phase and sets the phase conditions with it.
/// </summary>
internal sealed class DecisionContext
{
    private readonly List<LifecycleAction> _actions = [];
    private readonly List<JobEvent> _events = [];
    private TimeSpan? _requeueAfter;

    public DecisionContext(JobObservation observation)
    {
        Observation = observation;
        Effective = observation.Effective;
        Status = observation.Job.Status is null
            ? new LlamaTrainingJobStatus { Phase = JobPhase.Pending }
            : ApiJson.Deserialize<LlamaTrainingJobStatus>(ApiJson.Serialize(observation.Job.Status))!;
        Status.Phase ??= JobPhase.Pending;
    }

    public JobObservation Observation { get; }

    public LlamaTrainingJobStatus Status { get; }

    public ResolvedJob Job => Observation.Resolved ?? throw new InvalidOperationException("the job's spec is invalid");

    /// <summary>The job the stage objects are rendered from: the observation's effective job, re-pinned when this decision starts a stage.</summary>
    public LlamaTrainingJob Effective { get; private set; }

    public DateTime Now => Observation.Now;

    public JobPhase Phase => Status.Phase!.Value;

    public long? Generation => Observation.Job.Metadata?.Generation;

    public IReadOnlyList<LifecycleAction> Actions => _actions;

    public void Act(LifecycleAction action) => _actions.Add(action);

    public void Record(bool warning, string reason, string message) => _events.Add(new JobEvent(warning, reason, message));

    /// <summary>Asks to be called again after <paramref name="delay"/>; the earliest request wins.</summary>
    public void RequeueAfter(TimeSpan delay)
    {
        var clamped = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        _requeueAfter = _requeueAfter is null || clamped < _requeueAfter ? clamped : _requeueAfter;
    }

    /// <summary>Moves to <paramref name="phase"/>, records the event and sets the conditions that follow from the phase.</summary>
    public void Transition(JobPhase phase, string reason, string message, bool warning = false)
    {
        if (phase == JobPhase.Scheduling)
        {
            Status.GangGeneration = (Status.GangGeneration ?? 0) + 1; // every move into Scheduling creates a new gang
        }

        Status.Phase = phase;
        Record(warning, reason, message);
        var running = phase == JobPhase.Running;
        var active = phase is not (JobPhase.Suspended or JobPhase.Succeeded or JobPhase.Failed);
        SetCondition(ConditionTypes.Ready, running, reason, message);
        SetCondition(ConditionTypes.Progressing, active, reason, message);
        if (phase == JobPhase.Suspended || JobConditionSetter.Find(Status, ConditionTypes.Suspended) is not null)
        {
            SetCondition(ConditionTypes.Suspended, phase == JobPhase.Suspended, reason, message);
        }

        if (phase is JobPhase.Succeeded or JobPhase.Failed)
        {
            Status.CompletionTime = Now;
            SetCondition(phase == JobPhase.Succeeded ? ConditionTypes.Complete : ConditionTypes.Failed, true, reason, message);
        }
    }

    /// <summary>Pins the running stage of the decided status (a stage start moved the pin).</summary>
    public void Repin() => Effective = RunningStagePin.EffectiveJob(Observation.Job, Status.Stage);

    public void SetCondition(string type, bool value, string reason, string message) =>
        JobConditionSetter.Set(Status, type, value, reason, message, Generation, Now);

    public JobDecision Build() => new(Status, _actions, _events, _requeueAfter);
}
