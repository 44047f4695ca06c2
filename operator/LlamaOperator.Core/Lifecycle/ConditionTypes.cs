namespace LlamaOperator.Core.Lifecycle;

/// <summary>The job's condition types.</summary>
public static class ConditionTypes
{
    /// <summary>The whole gang of the current stage is running.</summary>
    public const string Ready = "Ready";

    /// <summary>The job is moving towards completion (False once suspended or finished).</summary>
    public const string Progressing = "Progressing";

    public const string Suspended = "Suspended";
    public const string Complete = "Complete";
    public const string Failed = "Failed";

    /// <summary>The current spec is invalid; the job keeps running on what it was started with.</summary>
    public const string SpecRejected = "SpecRejected";

    /// <summary>False when a LongContext length missed its gate and the spec said to continue anyway.</summary>
    public const string GatePassed = "GatePassed";

    /// <summary>False while the checkpoint store cannot be read: progress is the last good read and hang detection waits.</summary>
    public const string ProgressAvailable = "ProgressAvailable";

    /// <summary>True while a pod's trainer container cannot start (CreateContainerError, ErrImagePull, ...): the reason and pod are named, nothing is restarted.</summary>
    public const string ContainerStartFailure = "ContainerStartFailure";
}
