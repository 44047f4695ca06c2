namespace LlamaOperator.Api;

/// <summary>
/// Where the trainer writes the one-line cause of a failed run, the one place it is defined: the trainer container's
/// terminationMessagePath, passed to the trainer as <see cref="PathVariable"/>, which the kubelet copies into the
/// container's terminated state (`message`) and the operator into the job's condition and event.
/// </summary>
public static class TrainerTerminationMessage
{
    /// <summary>The environment variable naming the file (the dev cluster's kubelet maps it to a host file).</summary>
    public const string PathVariable = "LLAMA_TERMINATION_MESSAGE_PATH";

    /// <summary>Kubernetes' default terminationMessagePath.</summary>
    public const string DefaultPath = "/dev/termination-log";

    /// <summary>The most the kubelet reads of the file (it keeps the last 4096 bytes).</summary>
    public const int MaxBytes = 4096;
}
