using k8s.Models;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Lifecycle;

/// <summary>
/// A small three-stage job (pretrain on 2 pods, long-context with lengths 512 and 1024 on 2 pods, anneal with
/// averaging on 1 pod) and a fake cluster: Decide stores the decided status on the job, Apply plays the decision's
/// actions against the observed children as the API server would.
/// </summary>
internal sealed class LifecycleScenario
{
    public static readonly DateTime Start = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    public LifecycleScenario(GateFailureAction onGateFailure = GateFailureAction.Fail)
    {
        Job = new LlamaTrainingJob
        {
            Metadata = new() { Name = "tiny", NamespaceProperty = "research", Generation = 1, Uid = "0f6c2b8e-1111-4a4a-9e9e-123456789abc" },
            Spec = new LlamaTrainingJobSpec
            {
                Model = new ModelSpec { Preset = "tiny" },
                Data = new DataSpec { Sources = [new DataSourceSpec { Name = "general", Uri = "/data/general", Weight = 1 }] },
                Cluster = new ClusterSpec { GpusPerNode = 1, GpuMemoryGiB = 80, Image = "llama-trainer:1" },
                Checkpoint = new CheckpointSpec { Storage = new CheckpointStorageSpec { Local = new LocalStorageSpec { Path = "/ckpt" } } },
                FailurePolicy = new FailurePolicySpec { MaxRestarts = 2, BackoffSeconds = 10, MaxBackoffSeconds = 60, HangTimeoutSeconds = 300 },
                Stages =
                [
                    new StageSpec { Name = "pretrain", Type = StageType.Pretrain, Tokens = 1_000_000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 2 } },
                    new StageSpec
                    {
                        Name = "long", Type = StageType.LongContext, Tokens = 100_000, SequenceLengths = [512, 1024], BatchTokens = 2048,
                        Parallelism = new ParallelismSpec { Cp = 2 },
                        Gate = new GateSpec { ShortContextTolerance = 0.02, NeedleAccuracy = 1.0, OnFailure = onGateFailure },
                    },
                    new StageSpec { Name = "anneal", Type = StageType.Anneal, Tokens = 100_000, SequenceLength = 256, BatchTokens = 2048, Parallelism = new ParallelismSpec { Dp = 1 }, Averaging = new AveragingSpec { Checkpoints = 2 } },
                ],
            },
        };
    }

    public LlamaTrainingJob Job { get; }

    /// <summary>A decision's actions, with a gang creation shown as what a user checks of it (<see cref="Gang"/>).</summary>
    public static IReadOnlyList<object> Summary(JobDecision decision) =>
        [.. decision.Actions.Select(a => a is CreateStageObjects c ? new Gang(c.Stage, c.LengthIndex, c.ResumeFromUri, c.GangGeneration, c.Objects.Pods.Count) : (object)a)];

    public DateTime Now { get; set; } = Start;

    public List<ObservedPod> Pods { get; } = [];

    public List<ObservedStageObjects> Objects { get; } = [];

    public ObservedPod? AveragingPod { get; set; }

    public ObservedHeartbeat? Heartbeat { get; set; }

    public CommittedCheckpoint? Checkpoint { get; set; }

    public string? FinalModel { get; set; }

    /// <summary>Set while the checkpoint store cannot be read (the heartbeat and checkpoint are then the last good read).</summary>
    public string? StorageError { get; set; }

    public LlamaTrainingJobStatus Status => Job.Status!;

    public JobObservation Observe() =>
        JobObservation.Of(Job, new ObservedChildren([.. Pods], [.. Objects], AveragingPod), new ObservedProgress(Heartbeat, Checkpoint, FinalModel) { Unavailable = StorageError }, Now);

    /// <summary>Decides on the current observation and stores the decided status on the job (as the shell's status write does).</summary>
    public JobDecision Decide()
    {
        var decision = LifecycleDecider.Decide(Observe());
        Job.Status = decision.Status;
        return decision;
    }

    /// <summary>Decides and applies the decision's actions.</summary>
    public JobDecision Step()
    {
        var decision = Decide();
        Apply(decision);
        return decision;
    }

    /// <summary>Asserts that deciding again on the resulting observation changes nothing: same status, no actions.</summary>
    public void AssertStable()
    {
        var before = ApiJson.Serialize(Job.Status);
        var again = Decide();
        Assert.Empty(again.Actions);
        Assert.Empty(again.Events);
        Assert.Equal(before, ApiJson.Serialize(again.Status));
    }

    public void Apply(JobDecision decision)
    {
        foreach (var action in decision.Actions)
        {
            switch (action)
            {
                case CreateStageObjects create:
                    Objects.RemoveAll(o => o.Stage == create.Stage);
                    Objects.Add(new ObservedStageObjects(create.Stage, create.Objects.Service, create.Objects.ConfigMap, create.Objects.PodGroup));
                    for (var rank = 0; rank < create.Objects.Pods.Count; rank++)
                    {
                        if (!Pods.Any(p => p.Stage == create.Stage && p.NodeRank == rank))
                        {
                            Pods.Add(new ObservedPod(create.Objects.Pods[rank].Metadata.Name, create.Stage, rank, ObservedPodPhase.Pending, NodeName: $"node-{rank}"));
                        }
                    }

                    break;
                case RepairStageObject repair:
                    var observed = Objects.Single(o => o.Stage == repair.Stage);
                    Objects[Objects.IndexOf(observed)] = repair.Object switch
                    {
                        V1Service service => observed with { Service = service },
                        V1ConfigMap configMap => observed with { ConfigMap = configMap },
                        PodGroup group => observed with { PodGroup = group },
                        _ => throw new NotSupportedException(repair.Object.Kind),
                    };
                    break;
                case DeleteGang gang:
                    Terminate(p => p.Stage == gang.Stage);
                    break;
                case DeleteStageObjects stage:
                    Terminate(p => p.Stage == stage.Stage);
                    Objects.RemoveAll(o => o.Stage == stage.Stage);
                    break;
                case ForceDeletePod force:
                    Pods.RemoveAll(p => p.Name == force.Name);
                    break;
                case CreateAveragingPod averaging:
                    AveragingPod = new ObservedPod(averaging.Objects.Pod.Metadata.Name, "anneal", 0, ObservedPodPhase.Pending);
                    break;
            }
        }
    }

    /// <summary>The kubelet confirms every pending deletion.</summary>
    public void DeletionsFinish() => Pods.RemoveAll(p => p.IsTerminating);

    public void SetPods(string stage, ObservedPodPhase phase) => Update(p => p.Stage == stage, p => p with { Phase = phase });

    public void Update(Func<ObservedPod, bool> which, Func<ObservedPod, ObservedPod> change)
    {
        for (var i = 0; i < Pods.Count; i++)
        {
            if (which(Pods[i]))
            {
                Pods[i] = change(Pods[i]);
            }
        }
    }

    /// <summary>Runs the job up to a Running gang of its first stage.</summary>
    public void RunFirstStage()
    {
        Step();
        SetPods("pretrain", ObservedPodPhase.Running);
        Step();
        Assert.Equal(JobPhase.Running, Status.Phase);
    }

    public CommittedCheckpoint Commit(string stage, int stageIndex, long step, bool stageEnd = false, int lengthIndex = 0, CheckpointEvals? evals = null)
    {
        Checkpoint = new CommittedCheckpoint($"step-{step}", $"/ckpt/tiny/step-{step}", stage, stageIndex, lengthIndex, step, step * 2048, stageEnd, Now, evals);
        Heartbeat = new ObservedHeartbeat(step, step * 2048, Now, "training", 2.5, 1000);
        return Checkpoint;
    }

    private void Terminate(Func<ObservedPod, bool> which) => Update(p => which(p) && !p.IsTerminating, p => p with { DeletionTimestamp = Now });
}

/// <summary>A gang creation: stage, LongContext length, the checkpoint it resumes from, its generation and how many pods.</summary>
internal sealed record Gang(string Stage, int LengthIndex, string? ResumeFrom, long Generation, int Pods);
